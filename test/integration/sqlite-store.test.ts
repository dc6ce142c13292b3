import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { checksumOf } from "../../services/adapters/store/migrations.ts";
import { SQLITE_MIGRATIONS } from "../../services/adapters/store/sqlite-schema.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { buildMerkleTree } from "../../services/domain/merkle.ts";
import { doc, expectProofsAcrossTheTreeMigration, storeContract } from "./store-contract.ts";

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
    old.exec(SQLITE_MIGRATIONS.migrations[0]?.sql as string);
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
    for (const [index, { sql }] of SQLITE_MIGRATIONS.migrations.slice(0, 4).entries()) {
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

  it("keeps the proofs of documents sealed before batch trees were kept, and seals new ones beside them", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    const old = buildMerkleTree([doc(1).leaf, doc(2).leaf]);
    // The database as the release before batch trees left it: each sealed document with its proof as JSON.
    const db = new DatabaseSync(path());
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const [index, { sql }] of SQLITE_MIGRATIONS.migrations.slice(0, -1).entries()) {
      db.exec(sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, '2026-11-22')").run(index + 1);
    }
    const batch = db
      .prepare("INSERT INTO batches (department, type, root, count, state, created_at) VALUES ('DEMO', 'licence', ?, 2, 'SEALED', '2026-11-22') RETURNING id")
      .get(old.root);
    for (const [i, d] of [doc(1), doc(2)].entries()) {
      const inserted = db
        .prepare(
          "INSERT INTO documents (id, department, type, issued_at, leaf, batch_id, merkle_proof) VALUES (?, 'DEMO', 'licence', ?, ?, ?, ?) RETURNING seq",
        )
        .get(d.id, d.issuedAt, d.leaf, Number(batch?.id), JSON.stringify(old.proofs[i]));
      db.prepare("INSERT INTO document_files (seq, json) VALUES (?, ?)").run(Number(inserted?.seq), d.documentJson);
    }
    db.close();
    const store = new SqliteStore(path());
    await expectProofsAcrossTheTreeMigration(store, old.proofs);
  });

  it("never gives a document the seq of one that was deleted (seqs stay AUTOINCREMENT's)", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    const store = new SqliteStore(path());
    await store.insertDocuments([doc(1), doc(2), doc(3)]);
    await store.close();
    const db = new DatabaseSync(path());
    const seqOf = (id: string) => Number(db.prepare("SELECT seq FROM documents WHERE id = ?").get(id)?.seq);
    const third = seqOf(doc(3).id);
    db.exec(`DELETE FROM document_files WHERE seq = ${third}; DELETE FROM documents WHERE seq = ${third}`);
    db.close();
    const reopened = new SqliteStore(path());
    await reopened.insertDocuments([doc(4)]);
    await reopened.close();
    const after = new DatabaseSync(path());
    expect(Number(after.prepare("SELECT seq FROM documents WHERE id = ?").get(doc(4).id)?.seq)).toBe(third + 1);
    after.close();
  });

  it("records the checksum of every migration it applies", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    await new SqliteStore(path()).close();
    const db = new DatabaseSync(path());
    const rows = db.prepare("SELECT version, checksum FROM schema_migrations ORDER BY version").all();
    db.close();
    expect(rows.map((row) => [Number(row.version), row.checksum])).toEqual(SQLITE_MIGRATIONS.migrations.map((m, i) => [i + 1, checksumOf(m.sql)]));
  });

  it("accepts a database migrated before checksums were kept, and stamps its migrations", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    const old = new DatabaseSync(path());
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const [index, { sql }] of SQLITE_MIGRATIONS.migrations.entries()) {
      old.exec(sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, '2026-11-22')").run(index + 1);
    }
    old.close();
    const store = new SqliteStore(path());
    await store.insertDocuments([doc(1)]);
    expect((await store.getDocument(doc(1).id))?.id).toBe(doc(1).id);
    await store.close();
    const db = new DatabaseSync(path());
    const rows = db.prepare("SELECT version, applied_at, checksum FROM schema_migrations ORDER BY version").all();
    db.close();
    expect(rows.map((row) => [row.applied_at, row.checksum])).toEqual(SQLITE_MIGRATIONS.migrations.map((m) => ["2026-11-22", checksumOf(m.sql)]));
  });

  it("refuses to start on a database that ran another text of a shipped migration, naming it and saying what to do", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    await new SqliteStore(path()).close();
    const db = new DatabaseSync(path());
    // As if the database had run migration 6 before someone edited it in the code.
    db.prepare("UPDATE schema_migrations SET checksum = ? WHERE version = 6").run(checksumOf("-- the text as it was shipped"));
    db.close();
    let refused: unknown;
    try {
      new SqliteStore(path());
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: "CONFIG_INVALID" });
    expect((refused as Error).message).toMatch(
      /^migration 6 \("key custody"\) in SQLITE_MIGRATIONS \(services\/adapters\/store\/sqlite-schema\.ts\) is not the text/,
    );
    expect((refused as Error).message).toContain("a shipped migration is never edited");
    expect((refused as Error).message).toContain("in a new migration at the end of the list");
  });
});
