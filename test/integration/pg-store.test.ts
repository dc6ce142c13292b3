import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { groupCommittedInserts } from "../../services/adapters/store/group-commit.ts";
import { checksumOf } from "../../services/adapters/store/migrations.ts";
import { openPgPool } from "../../services/adapters/store/pg-database.ts";
import { PgLocks } from "../../services/adapters/store/pg-locks.ts";
import { PG_MIGRATIONS } from "../../services/adapters/store/pg-schema.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { PgSubscriptions } from "../../services/adapters/store/pg-subscriptions.ts";
import { buildMerkleTree, merkleTree } from "../../services/domain/merkle.ts";
import { waitUntil } from "../wait-until.ts";
import { createTestSchema, type TestSchema, terminateLockHolders } from "./pg-test-db.ts";
import { doc, expectProofsAcrossTheTreeMigration, storeContract } from "./store-contract.ts";

let schema: TestSchema | null = null;

storeContract("PgStore", {
  async create() {
    schema = await createTestSchema();
    return PgStore.open({ connectionString: schema.url });
  },
  async reopen() {
    if (!schema) throw new Error("no schema");
    return PgStore.open({ connectionString: schema.url });
  },
  async destroy() {
    await schema?.drop();
    schema = null;
  },
});

describe("PgStore shared by several instances", () => {
  const open: PgStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    await schema?.drop();
    schema = null;
  });
  async function instance(): Promise<PgStore> {
    if (!schema) throw new Error("no schema");
    const store = await PgStore.open({ connectionString: schema.url, maxConnections: 4 });
    open.push(store);
    return store;
  }

  it("migrates once when several instances start at the same moment", async () => {
    schema = await createTestSchema();
    const stores = await Promise.all([instance(), instance(), instance()]);
    await stores[0]?.insertDocuments([doc(1)]);
    expect((await stores[2]?.getDocument(doc(1).id))?.id).toBe(doc(1).id);
  });

  it("puts each document in exactly one batch when instances seal concurrently", async () => {
    schema = await createTestSchema();
    const [a, b] = await Promise.all([instance(), instance()]);
    if (!a || !b) throw new Error("no stores");
    await a.insertDocuments(Array.from({ length: 200 }, (_, i) => doc(i + 1)));
    const seal = async (store: PgStore) => {
      const batches = [];
      for (;;) {
        const batch = await store.sealBatch("DEMO", "licence", 7, merkleTree);
        if (!batch) return batches;
        batches.push(batch);
      }
    };
    const [fromA, fromB] = await Promise.all([seal(a), seal(b)]);
    const all = [...fromA, ...fromB];
    expect(all.reduce((sum, batch) => sum + batch.count, 0)).toBe(200);
    const ids = new Set<number>();
    for (let i = 1; i <= 200; i++) {
      const stored = await b.getDocument(doc(i).id);
      expect(stored?.batch).not.toBeNull();
      ids.add(stored?.batch?.id as number);
    }
    expect(ids.size).toBe(all.length);
  });

  it("lets one instance at a time hold a lock, and skips a lock another instance holds", async () => {
    schema = await createTestSchema();
    const [a, b] = (await Promise.all([instance(), instance()])).map((store) => new PgLocks(store.pool));
    if (!a || !b) throw new Error("no stores");
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = a.withLock("account:0xabc", async () => {
      order.push("a in");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push("a out");
    });
    await waitUntil(() => order.includes("a in"), "instance a holding the lock");
    expect(await b.tryWithLock("account:0xabc", async () => "b ran")).toBeNull();
    expect(await b.tryWithLock("account:0xdef", async () => "b ran")).toEqual({ value: "b ran" });
    const waiting = b.withLock("account:0xabc", async () => {
      order.push("b in");
    });
    await new Promise((r) => setTimeout(r, 100));
    release();
    await Promise.all([held, waiting]);
    expect(order).toEqual(["a in", "a out", "b in"]);
  });

  it("frees the locks of an instance whose connections die", async () => {
    schema = await createTestSchema();
    const [a, b] = (await Promise.all([instance(), instance()])).map((store) => new PgLocks(store.pool));
    if (!a || !b) throw new Error("no stores");
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let finish: () => void = () => undefined;
    const held = a.withLock("batch:1", async () => {
      entered();
      // The instance dies holding the lock (its connection is terminated below) before this ends.
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    held.catch(() => undefined);
    await inside;
    expect(await b.tryWithLock("batch:1", async () => true)).toBeNull();
    expect(await terminateLockHolders(schema.schema)).toBe(1);
    const deadline = Date.now() + 5_000;
    let taken: { value: boolean } | null = null;
    while (!taken && Date.now() < deadline) {
      taken = await b.tryWithLock("batch:1", async () => true);
      if (!taken) await new Promise((r) => setTimeout(r, 50));
    }
    expect(taken).toEqual({ value: true });
    finish();
    await held;
  });

  it("reports a retried idempotency key that lost the race as DUPLICATE_REQUEST", async () => {
    schema = await createTestSchema();
    const store = await instance();
    await store.insertDocuments([doc(1, { idempotencyKey: "row-1" })]);
    await expect(store.insertDocuments([doc(2, { idempotencyKey: "row-1" })])).rejects.toMatchObject({ code: "DUPLICATE_REQUEST" });
  });

  it("group-commits concurrent single issuances: the ones that arrive while one is written share one transaction", async () => {
    schema = await createTestSchema();
    const store = await instance();
    const inserts = groupCommittedInserts(store);
    let transactions = 0;
    const count = () => {
      transactions += 1;
    };
    store.pool.on("acquire", count);
    await Promise.all(Array.from({ length: 10 }, (_, i) => inserts.insertDocuments([doc(100 + i, { idempotencyKey: `key-${i}` })])));
    store.pool.off("acquire", count);
    // The first went at once, alone; the nine that came while it was written went together.
    expect(transactions).toBe(2);
    for (let i = 0; i < 10; i++) expect((await store.getDocument(doc(100 + i).id))?.id).toBe(doc(100 + i).id);
    expect((await store.findByIdempotencyKey("DEMO", ["key-0", "key-9"])).size).toBe(2);
  });

  it("fails only the request whose idempotency key is taken when group-committed issuances share a transaction", async () => {
    schema = await createTestSchema();
    const store = await instance();
    await store.insertDocuments([doc(1, { idempotencyKey: "taken" })]);
    const inserts = groupCommittedInserts(store);
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => inserts.insertDocuments([doc(100 + i, { idempotencyKey: i === 4 ? "taken" : `key-${i}` })])),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 4 ? "rejected" : "fulfilled")));
    expect((answers[4] as PromiseRejectedResult).reason).toMatchObject({ code: "DUPLICATE_REQUEST" });
    for (let i = 0; i < 10; i++) expect(await store.getDocument(doc(100 + i).id)).toEqual(i === 4 ? null : expect.objectContaining({ id: doc(100 + i).id }));
    expect((await store.findByIdempotencyKey("DEMO", ["taken"])).get("taken")).toBe(doc(1).id);
  });

  it("still looks documents up on its connections after a newer instance's migration added a column to them", async () => {
    schema = await createTestSchema();
    const store = await PgStore.open({ connectionString: schema.url, maxConnections: 3 });
    open.push(store);
    await store.insertDocuments([doc(1)]);
    // Every pooled connection has run (and so prepared) the lookup.
    await Promise.all(Array.from({ length: 6 }, () => store.getDocument(doc(1).id)));
    const migrator = new pg.Client({ connectionString: schema.url });
    await migrator.connect();
    await migrator.query("ALTER TABLE documents ADD COLUMN added_later TEXT");
    await migrator.end();
    const found = await Promise.all(Array.from({ length: 6 }, () => store.getDocument(doc(1).id)));
    expect(found.map((d) => d?.id)).toEqual(Array.from({ length: 6 }, () => doc(1).id));
  });

  it("refuses to open a database it cannot reach with CONFIG_INVALID", async () => {
    await expect(PgStore.open({ connectionString: "postgres://postgres@127.0.0.1:1/test" })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});

describe("PgStore migrations", () => {
  afterEach(async () => {
    await schema?.drop();
    schema = null;
  });

  /** A client on the test schema, for setting a database up as an earlier release left it. */
  async function sql<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    if (!schema) throw new Error("no schema");
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** Applies the first `count` migrations as the runner before checksums did: schema_migrations(version, applied_at). */
  async function migrateWithoutChecksums(client: pg.Client, count: number): Promise<void> {
    await client.query("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const [index, { sql: text }] of PG_MIGRATIONS.migrations.slice(0, count).entries()) {
      await client.query(text);
      await client.query("INSERT INTO schema_migrations VALUES ($1, '2026-11-22')", [index + 1]);
    }
  }

  const recorded = () =>
    sql(async (client) =>
      (await client.query("SELECT version, checksum FROM schema_migrations ORDER BY version")).rows.map((row) => [row.version, row.checksum]),
    );
  const shipped = () => PG_MIGRATIONS.migrations.map((m, i) => [i + 1, checksumOf(m.sql)]);

  it("records the checksum of every migration it applies", async () => {
    schema = await createTestSchema();
    await (await PgStore.open({ connectionString: schema.url })).close();
    expect(await recorded()).toEqual(shipped());
  });

  it("accepts a database migrated before checksums were kept, and stamps its migrations", async () => {
    schema = await createTestSchema();
    await sql((client) => migrateWithoutChecksums(client, PG_MIGRATIONS.migrations.length));
    const store = await PgStore.open({ connectionString: schema.url });
    await store.insertDocuments([doc(1)]);
    expect((await store.getDocument(doc(1).id))?.id).toBe(doc(1).id);
    await store.close();
    expect(await recorded()).toEqual(shipped());
  });

  it("keeps the proofs of documents sealed before batch trees were kept, and seals new ones beside them", async () => {
    schema = await createTestSchema();
    const old = buildMerkleTree([doc(1).leaf, doc(2).leaf]);
    await sql(async (client) => {
      // The database as the release before batch trees left it: each sealed document with its proof as JSON.
      await migrateWithoutChecksums(client, PG_MIGRATIONS.migrations.length - 1);
      const { rows } = await client.query(
        "INSERT INTO batches (department, type, root, count, state, created_at) VALUES ('DEMO', 'licence', $1, 2, 'SEALED', '2026-11-22') RETURNING id",
        [old.root],
      );
      for (const [i, d] of [doc(1), doc(2)].entries()) {
        const { rows: inserted } = await client.query(
          "INSERT INTO documents (id, department, type, issued_at, leaf, batch_id, merkle_proof) VALUES ($1, 'DEMO', 'licence', $2, $3, $4, $5) RETURNING seq",
          [d.id, d.issuedAt, d.leaf, rows[0]?.id, JSON.stringify(old.proofs[i])],
        );
        await client.query("INSERT INTO document_files (seq, json) VALUES ($1, $2)", [inserted[0]?.seq, d.documentJson]);
      }
    });
    const store = await PgStore.open({ connectionString: schema.url });
    await expectProofsAcrossTheTreeMigration(store, old.proofs);
  });

  it("folds in the subscription tables of a database that already has them from the unversioned schema, keeping their rows", async () => {
    schema = await createTestSchema();
    const folded = PG_MIGRATIONS.migrations.findIndex((m) => m.name === "webhook subscriptions, deliveries, chain cursors");
    expect(folded).toBe(7);
    await sql(async (client) => {
      await migrateWithoutChecksums(client, folded);
      // What PgSubscriptions.ensureSchema() created (the same text), with a subscription in it.
      await client.query(PG_MIGRATIONS.migrations[folded]?.sql as string);
      await client.query("INSERT INTO subscriptions (id, owner, url, created_at) VALUES ('s1', 'key-1', 'https://rp.example/hook', '2026-11-22')");
    });
    const pool = await openPgPool({ connectionString: schema.url });
    expect((await new PgSubscriptions(pool).getSubscription("s1"))?.owner).toBe("key-1");
    await pool.end();
    expect(await recorded()).toEqual(shipped());
  });

  it("refuses to start on a database that ran another text of a shipped migration, naming it and saying what to do", async () => {
    schema = await createTestSchema();
    await (await PgStore.open({ connectionString: schema.url })).close();
    // As if the database had run migration 5 before someone edited it in the code.
    await sql((client) => client.query("UPDATE schema_migrations SET checksum = $1 WHERE version = 5", [checksumOf("-- the text as it was shipped")]));
    const refused = await PgStore.open({ connectionString: schema.url }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "CONFIG_INVALID" });
    expect((refused as Error).message).toMatch(/^migration 5 \("key custody"\) in PG_MIGRATIONS \(services\/adapters\/store\/pg-schema\.ts\) is not the text/);
    expect((refused as Error).message).toContain("a shipped migration is never edited");
  });
});
