import { afterEach, describe, expect, it } from "vitest";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { waitUntil } from "../wait-until.ts";
import { createTestSchema, type TestSchema, terminateLockHolders } from "./pg-test-db.ts";
import { doc, fakeTree, storeContract } from "./store-contract.ts";

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
        const batch = await store.sealBatch("DEMO", "licence", 7, fakeTree);
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
    const [a, b] = await Promise.all([instance(), instance()]);
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
    const [a, b] = await Promise.all([instance(), instance()]);
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

  it("refuses to open a database it cannot reach with CONFIG_INVALID", async () => {
    await expect(PgStore.open({ connectionString: "postgres://postgres@127.0.0.1:1/test" })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
