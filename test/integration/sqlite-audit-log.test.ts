import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { auditEntry, auditLogContract } from "./audit-log-contract.ts";

let dir = "";

auditLogContract("SqliteStore", {
  async create() {
    dir = mkdtempSync(join(tmpdir(), "eproof-audit-"));
    return new SqliteStore(join(dir, "eproof.sqlite"));
  },
  async destroy() {
    rmSync(dir, { recursive: true, force: true });
  },
});

describe("SqliteStore audit log", () => {
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to update or delete an audit entry, even through SQL", async () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-audit-"));
    const path = join(dir, "eproof.sqlite");
    const store = new SqliteStore(path);
    await store.audit.append([auditEntry()]);
    await store.close();
    const db = new DatabaseSync(path);
    try {
      expect(() => db.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
      expect(db.prepare("SELECT actor FROM audit_log").all()).toEqual([{ actor: "DEMO-officer-1" }]);
    } finally {
      db.close();
    }
  });
});
