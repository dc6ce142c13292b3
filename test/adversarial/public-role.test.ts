import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../services/config.ts";
import type { EProofDocument } from "../../services/domain/types.ts";
import { createLogger } from "../../services/logger.ts";
import { type RunningService, startEProof } from "../../services/main.ts";
import { type SharedDeployment, startSharedDeployment } from "../e2e/shared-deployment.ts";
import { api, downloadEProof, freePort, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "../e2e/test-service.ts";
import { type NodeProcess, spawnNode } from "../node-process.ts";
import { until, verdictByApi } from "./adversary.ts";

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

const KEY_FILE = /(\.key$|\.jwk\.json$|custody|webhook-key|private|(^|\/)keys\/|dev-credentials|deployment\.json|anvil-state)/;

/** `node services/main.ts` with exactly `env` (plus PATH and HOME), as an operator starts it. */
function runMain(env: Record<string, string>): NodeProcess {
  return spawnNode(["services/main.ts"], { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env });
}

describe("a public-only instance (EPROOF_ROLES=public)", () => {
  let shared: SharedDeployment;
  let full: RunningService;
  let officer: TestService;
  let adminKey: string;
  let publicEnv: Record<string, string>;
  let publicDataDir: string;
  let publicInstance: ReturnType<typeof runMain>;
  let publicUrl: string;
  let issued: { id: string; file: EProofDocument };

  beforeAll(async () => {
    shared = await startSharedDeployment();
    const config = loadConfig(
      { ...shared.env, PORT: String(await freePort()), EPROOF_GOVERNANCE_KEY: shared.deployment.adminKey, EPROOF_VERIFY_RATE_LIMIT: "0" },
      (path) => readFileSync(path, "utf8"),
    );
    full = await startEProof(config, createLogger("silent"));
    officer = Object.assign(full, { dataDir: shared.dataDir, apiKey: shared.apiKey, env: shared.env });
    adminKey = (JSON.parse(readFileSync(join(shared.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string }).adminApiKey;

    publicDataDir = mkdtempSync(join(tmpdir(), "eproof-public-"));
    const port = await freePort();
    publicEnv = {
      PORT: String(port),
      EPROOF_ROLES: "public",
      EPROOF_DATA_DIR: publicDataDir,
      EPROOF_RPC_URL: shared.env.EPROOF_RPC_URL as string,
      EPROOF_CHAIN_ID: shared.env.EPROOF_CHAIN_ID as string,
      EPROOF_DOCUMENT_REGISTRY: shared.deployment.documentRegistry,
      EPROOF_ISSUER_REGISTRY: shared.deployment.issuerRegistry,
      EPROOF_DATABASE_URL: shared.schema.url,
      EPROOF_VERIFY_RATE_LIMIT: "0",
      EPROOF_LOG_LEVEL: "info",
    };
    publicInstance = runMain(publicEnv);
    publicUrl = `http://127.0.0.1:${port}`;
    await until(
      "the public instance to answer /healthz/live",
      async () => {
        if (publicInstance.child.exitCode !== null) throw new Error(`the public instance exited: ${publicInstance.output().stderr.slice(0, 500)}`);
        return fetch(`${publicUrl}/healthz/live`).then(
          (r) => r.ok,
          () => false,
        );
      },
      30_000,
      100,
    );

    const answer = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(answer.status).toBe(202);
    await waitUntilAnchored(officer, answer.body.id, 30_000);
    issued = { id: answer.body.id, file: (await downloadEProof(officer, answer.body.id)) as EProofDocument };
  });
  afterAll(async () => {
    if (publicInstance && publicInstance.child.exitCode === null) {
      publicInstance.child.kill("SIGTERM");
      await publicInstance.exited;
    }
    await full?.stop();
    await shared?.stop();
    if (publicDataDir) rmSync(publicDataDir, { recursive: true, force: true });
  });

  it("starts with no key at all and says it serves the public role only", () => {
    const started = publicInstance
      .output()
      .stdout.split("\n")
      .filter((line) => line.includes('"service.started"'))
      .map((line) => JSON.parse(line) as { roles: string[] });
    expect(started).toHaveLength(1);
    expect(started[0]?.roles).toEqual(["public"]);
    expect(filesUnder(publicDataDir).filter((file) => KEY_FILE.test(file))).toEqual([]);
  });

  it("verifies VALID a document the full instance issued and anchored, and serves the trust configuration and the JWKS", async () => {
    expect((await verdictByApi({ url: publicUrl }, issued.file)).verdict).toBe("VALID");
    // Without the anchor in the file, the public instance finds it in the shared store.
    const { anchor: _anchor, ...withoutAnchor } = issued.file;
    expect((await verdictByApi({ url: publicUrl }, withoutAnchor)).verdict).toBe("VALID");

    const trust = await api({ url: publicUrl, apiKey: "" }, "GET", "/.well-known/eproof.json");
    expect(trust.status).toBe(200);
    expect(trust.body).toMatchObject({ chainId: 852 });
    expect(String(trust.body.registry).toLowerCase()).toBe(shared.deployment.documentRegistry.toLowerCase());
    const jwks = await api({ url: publicUrl, apiKey: "" }, "GET", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain("DEMO-1");
    // Public keys only: no private member of any JWK.
    for (const key of jwks.body.keys) for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(key).not.toHaveProperty(member);
    expect(filesUnder(publicDataDir).filter((file) => KEY_FILE.test(file))).toEqual([]);
  });

  it("answers 404 on every officer, admin and subscription route, even with a valid officer or admin API key", async () => {
    const id = issued.id;
    const reason = { reason: "attacker" };
    const routes: Array<{ key: "officer" | "admin"; method: string; path: string; body?: unknown; control?: unknown }> = [
      { key: "officer", method: "POST", path: "/api/v1/documents", body: TYPICAL_LICENCE, control: {} },
      { key: "officer", method: "POST", path: "/api/v1/batches", body: { type: "licence", items: [TYPICAL_LICENCE.data] }, control: {} },
      { key: "officer", method: "GET", path: `/api/v1/documents/${id}` },
      { key: "officer", method: "GET", path: `/api/v1/documents/${id}/eproof.json` },
      { key: "officer", method: "GET", path: `/api/v1/documents/${id}/pdf` },
      { key: "officer", method: "GET", path: `/api/v1/documents/${id}/qr.png` },
      { key: "officer", method: "GET", path: `/api/v1/documents/${id}/qr.svg` },
      { key: "officer", method: "POST", path: `/api/v1/documents/${id}/suspend`, body: reason, control: {} },
      { key: "officer", method: "POST", path: `/api/v1/documents/${id}/revoke`, body: reason, control: {} },
      { key: "officer", method: "POST", path: `/api/v1/documents/${id}/reinstate`, body: reason, control: {} },
      { key: "officer", method: "POST", path: `/api/v1/documents/${id}/supersede`, body: { data: TYPICAL_LICENCE.data }, control: {} },
      { key: "officer", method: "POST", path: "/api/v1/status-changes", body: { action: "revoke", ids: [id], reason: "attacker" }, control: {} },
      { key: "officer", method: "POST", path: "/api/v1/subscriptions", body: { url: "https://attacker.example/hook", documentIds: [id] }, control: {} },
      { key: "officer", method: "GET", path: "/api/v1/subscriptions" },
      {
        key: "admin",
        method: "POST",
        path: "/api/v1/admin/departments",
        body: { code: "EVIL", name: { en: "Evil", zhHK: "邪惡" }, types: ["licence"] },
        control: {},
      },
      { key: "admin", method: "GET", path: "/api/v1/admin/departments/DEMO" },
      { key: "admin", method: "POST", path: "/api/v1/admin/departments/DEMO/suspend", control: "/api/v1/admin/departments/NOPE-404/suspend" },
      { key: "admin", method: "POST", path: "/api/v1/admin/departments/DEMO/keys", control: "/api/v1/admin/departments/NOPE-404/keys" },
      { key: "admin", method: "POST", path: "/api/v1/admin/departments/DEMO/keys/rotate", body: { graceSeconds: 600 }, control: { graceSeconds: 1 } },
      {
        key: "admin",
        method: "POST",
        path: "/api/v1/admin/departments/DEMO/anchorers",
        body: { account: Wallet.createRandom().address },
        control: { account: "nope" },
      },
      { key: "admin", method: "POST", path: "/api/v1/admin/api-keys", body: { role: "admin", label: "attacker" }, control: {} },
      { key: "admin", method: "GET", path: "/api/v1/admin/api-keys" },
      { key: "admin", method: "GET", path: "/api/v1/admin/audit" },
    ];
    const keys = { officer: shared.apiKey, admin: adminKey };
    const notMounted = (answer: { status: number; body: any }) => answer.status === 404 && /^no route /.test(String(answer.body?.error?.message));
    for (const route of routes) {
      const label = `${route.method} ${route.path}`;
      // On the full instance the route exists (a harmless call: invalid body, unknown department, or a read).
      const controlPath = typeof route.control === "string" ? route.control : route.path;
      const controlBody = typeof route.control === "string" ? undefined : (route.control ?? route.body);
      const control = await api({ url: full.url, apiKey: keys[route.key] }, route.method, controlPath, controlBody);
      expect(notMounted(control), `${label} on the full instance: ${control.status}`).toBe(false);
      // On the public instance it does not, whatever the key.
      for (const apiKey of [keys[route.key], keys.officer, keys.admin]) {
        const answer = await api({ url: publicUrl, apiKey }, route.method, route.path, route.body);
        expect(notMounted(answer), `${label} on the public instance: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`).toBe(true);
      }
    }
    // Nothing happened through the public instance: the document is still VALID, nothing was issued there.
    expect((await verdictByApi({ url: publicUrl }, issued.file)).verdict).toBe("VALID");
    const described = await api({ url: full.url, apiKey: adminKey }, "GET", "/api/v1/admin/departments/EVIL");
    expect(described.status).toBe(404);
    expect(filesUnder(publicDataDir).filter((file) => KEY_FILE.test(file))).toEqual([]);
  });

  it("refuses to start with a private key setting, in one clear line naming it and never echoing the key", async () => {
    const custodyKeyFile = join(shared.dataDir, "custody.key");
    const custodyKey = readFileSync(custodyKeyFile, "utf8").trim();
    const anchorKey = Wallet.createRandom().privateKey;
    const settings: Array<[string, string, string]> = [
      ["EPROOF_GOVERNANCE_KEY", shared.deployment.adminKey, shared.deployment.adminKey.slice(2)],
      ["EPROOF_ANCHOR_KEYS", `DEMO=${anchorKey}`, anchorKey.slice(2)],
      ["EPROOF_CUSTODY_KEY", custodyKey, custodyKey],
      ["EPROOF_CUSTODY_KEY_FILE", custodyKeyFile, custodyKey],
    ];
    await Promise.all(
      settings.map(async ([name, value, secret]) => {
        const dataDir = mkdtempSync(join(tmpdir(), "eproof-public-refused-"));
        try {
          const run = runMain({ ...publicEnv, PORT: String(await freePort()), EPROOF_DATA_DIR: dataDir, [name]: value });
          const timer = setTimeout(() => run.child.kill("SIGKILL"), 60_000);
          const code = await run.exited;
          clearTimeout(timer);
          const { stdout, stderr } = run.output();
          expect(code, name).toBe(1);
          const lines = stderr.trim().split("\n");
          expect(lines, name).toHaveLength(1);
          expect(lines[0]).toMatch(/^e-Proof cannot start: a public instance holds no private key: unset /);
          expect(lines[0]).toContain(name.replace(/_FILE$/, ""));
          expect(stderr).not.toMatch(/\n\s+at /);
          expect(`${stdout}${stderr}`).not.toContain(secret);
          expect(filesUnder(dataDir), name).toEqual([]);
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      }),
    );
    // Four processes load the whole service at once: on a busy 2-core machine that alone takes tens of seconds.
  }, 90_000);
  it("serves the status lists an officer instance signed, and shows a revocation within seconds (it holds no key to sign them)", async () => {
    const answer = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(answer.status).toBe(202);
    await waitUntilAnchored(officer, answer.body.id, 30_000);
    const entry = await full.statusLists.entryOf(answer.body.id);
    if (!entry) throw new Error("no status list entry");
    const statusOnPublic = async () => {
      const response = await fetch(`${publicUrl}/status-lists/${entry.department}/${entry.list}`);
      if (response.status !== 200) return `HTTP ${response.status}`;
      return getListFromStatusListJWT(await response.text()).getStatus(entry.index);
    };
    // The officer instance's loop signs the list into the shared store every 2 s.
    await expect.poll(statusOnPublic, { timeout: 10_000, interval: 250 }).toBe(0);
    const revoked = await api(officer, "POST", `/api/v1/documents/${answer.body.id}/revoke`, { reason: "test" });
    expect(revoked.status).toBe(200);
    await expect.poll(statusOnPublic, { timeout: 10_000, interval: 250 }).toBe(1);
    const bitstring = await fetch(`${publicUrl}/status-lists/${entry.department}/${entry.list}/revocation`);
    expect(bitstring.status).toBe(200);
    expect(bitstring.headers.get("content-type")).toMatch(/^application\/vc\+jwt/);
  });
});
