import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { auditEntry, auditLogContract } from "./audit-log-contract.ts";
import { createTestSchema, type TestSchema } from "./pg-test-db.ts";

let schema: TestSchema | null = null;

auditLogContract("PgStore", {
  async create() {
    schema = await createTestSchema();
    return PgStore.open({ connectionString: schema.url });
  },
  async destroy() {
    await schema?.drop();
    schema = null;
  },
});

describe("PgStore audit log", () => {
  afterEach(async () => {
    await schema?.drop();
    schema = null;
  });

  it("refuses to update, delete or truncate an audit entry, even through SQL", async () => {
    schema = await createTestSchema();
    const store = await PgStore.open({ connectionString: schema.url });
    await store.audit.append([auditEntry()]);
    await store.close();
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      await expect(client.query("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(client.query("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
      await expect(client.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
      expect((await client.query("SELECT actor FROM audit_log")).rows).toEqual([{ actor: "DEMO-officer-1" }]);
    } finally {
      await client.end();
    }
  });
});
