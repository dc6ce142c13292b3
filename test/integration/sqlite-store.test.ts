import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { SQLITE_MIGRATIONS } from "../../services/adapters/store/sqlite-schema.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { doc, storeContract } from "./store-contract.ts";

let dir = "";
const path = () => join(dir, "eproof.sqlite");

storeContract("SqliteStore", {
  async create() {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    return new SqliteStore(path());
  },
  async reopen() {
    return new SqliteStore(path());
  },
  async destroy() {
    rmSync(dir, { recursive: true, force: true });
  },
});

describe("SqliteStore migrations", () => {
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("migrates a database of the first schema without losing its documents", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    const old = new DatabaseSync(path());
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    old.exec(SQLITE_MIGRATIONS[0] as string);
    old.prepare("INSERT INTO schema_migrations VALUES (1, '2026-11-22')").run();
    old
      .prepare("INSERT INTO documents (id, department, type, issued_at, leaf, document_json) VALUES (?, ?, ?, ?, ?, ?)")
      .run(doc(1).id, "DEMO", "licence", doc(1).issuedAt, doc(1).leaf, doc(1).documentJson);
    old.close();
    const store = new SqliteStore(path());
    expect((await store.getDocument(doc(1).id))?.documentJson).toBe(doc(1).documentJson);
    await store.close();
  });

  it("keeps the API keys of a governance-era database when the role check is widened for relying parties", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    const old = new DatabaseSync(path());
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const [index, sql] of SQLITE_MIGRATIONS.slice(0, 4).entries()) {
      old.exec(sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, '2026-11-22')").run(index + 1);
    }
    old
      .prepare("INSERT INTO api_keys (id, key_hash, department, label, types, revoked, created_at, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run("ADMIN-admin-1", "hash-admin", "*", "admin", "[]", 0, "2026-11-22", "admin");
    expect(() =>
      old
        .prepare("INSERT INTO api_keys (id, key_hash, department, label, types, revoked, created_at, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .run("rp", "hash-rp", "*", "bank", "[]", 0, "2026-11-22", "relying-party"),
    ).toThrow(/CHECK/);
    old.close();
    const store = new SqliteStore(path());
    expect(await store.findApiKey("hash-admin")).toMatchObject({ id: "ADMIN-admin-1", role: "admin", revoked: false });
    await store.insertApiKey({ id: "rp", department: "*", label: "bank", types: [], revoked: false, role: "relying-party" }, "hash-rp");
    expect((await store.findApiKey("hash-rp"))?.role).toBe("relying-party");
    await store.close();
  });
});
