import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../services/adapters/http/auth.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { createTestSchema } from "./pg-test-db.ts";

const dir = mkdtempSync(join(tmpdir(), "eproof-admin-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function eproof(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("EPROOF_DATABASE_URL")));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["scripts/eproof.mjs", ...args], { timeout: 60_000, env: { ...clean, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("eproof admin create-admin-key on PostgreSQL", () => {
  it("writes the first admin key into the database named by EPROOF_DATABASE_URL_FILE, and audits it", async () => {
    const schema = await createTestSchema();
    const urlFile = join(dir, "database_url");
    writeFileSync(urlFile, `${schema.url}\n`, { mode: 0o600 });
    try {
      const run = await eproof(["admin", "create-admin-key", "--label", "first administrator"], { EPROOF_DATABASE_URL_FILE: urlFile });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const created = JSON.parse(run.stdout) as { id: string; role: string; apiKey: string };
      expect(created.role).toBe("admin");

      const store = await PgStore.open({ connectionString: schema.url });
      try {
        const found = await store.findApiKey(hashApiKey(created.apiKey));
        expect(found).toMatchObject({ id: created.id, role: "admin", label: "first administrator", revoked: false });
        const audit = await store.audit.list({ action: "apikey.create" });
        expect(audit.map((entry) => entry.details)).toContainEqual(expect.objectContaining({ keyId: created.id }));
      } finally {
        await store.close();
      }
    } finally {
      await schema.drop();
    }
  }, 60_000);

  it("refuses a database URL and --data-dir together, writing nothing", async () => {
    const run = await eproof(["admin", "create-admin-key", "--label", "x", "--data-dir", dir], {
      EPROOF_DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--data-dir/);
    expect(run.stdout).toBe("");
  }, 60_000);
});
