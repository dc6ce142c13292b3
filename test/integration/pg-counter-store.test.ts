import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failOpen, MemoryCounterStore } from "../../services/adapters/http/counter-store.ts";
import { PgCounterStore } from "../../services/adapters/store/pg-counter-store.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import type { Logger } from "../../services/logger.ts";
import { createTestSchema, type TestSchema } from "./pg-test-db.ts";

describe("rate-limit counters in PostgreSQL", () => {
  let schema: TestSchema;
  const stores: PgCounterStore[] = [];
  let now = 1_000_000;
  const clock = () => now;
  const open = (options: { cleanupEveryMs?: number } = {}) => {
    const store = PgCounterStore.connect(schema.url, { now: clock, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    schema = await createTestSchema();
    // The table comes from the store's migrations.
    await (await PgStore.open({ connectionString: schema.url, maxConnections: 3 })).close();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await schema?.drop();
  });

  it("counts every one of 200 concurrent increments of one key exactly once", async () => {
    const store = open();
    const results = await Promise.all(Array.from({ length: 200 }, () => store.increment("concurrent", 60_000)));
    expect((await store.get("concurrent"))?.hits).toBe(200);
    // Each increment saw a distinct count: 1..200.
    expect(results.map((r) => r.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.resetAt))).toEqual(new Set([now + 60_000]));
  });

  it("shares the counts between two store instances, as two service instances do", async () => {
    const a = open();
    const b = open();
    await Promise.all([...Array.from({ length: 30 }, () => a.increment("shared", 60_000)), ...Array.from({ length: 20 }, () => b.increment("shared", 60_000))]);
    expect((await a.get("shared"))?.hits).toBe(50);
    expect((await b.increment("shared", 60_000)).hits).toBe(51);
  });

  it("starts a new window at 1 once the old one has ended, and forgets the old hits", async () => {
    const store = open();
    for (let i = 0; i < 3; i++) await store.increment("window", 1_000);
    const first = await store.get("window");
    expect(first).toEqual({ hits: 3, resetAt: now + 1_000 });
    now += 1_000;
    expect(await store.get("window")).toBeUndefined();
    const fresh = await store.increment("window", 1_000);
    expect(fresh).toEqual({ hits: 1, resetAt: now + 1_000 });
  });

  it("takes a hit back with decrement (never below zero) and forgets a key with resetKey", async () => {
    const store = open();
    await store.increment("dec", 60_000);
    await store.increment("dec", 60_000);
    await store.decrement("dec");
    expect((await store.get("dec"))?.hits).toBe(1);
    await store.decrement("dec");
    await store.decrement("dec");
    expect((await store.get("dec"))?.hits).toBe(0);
    await store.resetKey("dec");
    expect(await store.get("dec")).toBeUndefined();
    expect((await store.increment("dec", 60_000)).hits).toBe(1);
  });

  it("deletes expired rows now and then, keeping the live ones", async () => {
    const store = open({ cleanupEveryMs: 10_000 });
    await store.increment("old", 1_000);
    await store.increment("live", 60_000);
    now += 20_000;
    // This increment is past the cleanup interval: it deletes the expired rows in the background.
    await store.increment("trigger", 60_000);
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const deadline = Date.now() + 5_000;
      let keys: string[] = [];
      do {
        keys = (await client.query("SELECT key FROM rate_limit_hits WHERE key IN ('old', 'live', 'trigger') ORDER BY key")).rows.map((r) => String(r.key));
        if (!keys.includes("old")) break;
        await new Promise((r) => setTimeout(r, 50));
      } while (Date.now() < deadline);
      expect(keys).toEqual(["live", "trigger"]);
    } finally {
      await client.end();
    }
  });

  it("fails open when the database is unreachable: hits count as the first, one warning a minute", async () => {
    const unreachable = PgCounterStore.connect("postgres://postgres@127.0.0.1:1/none", { now: clock });
    stores.push(unreachable);
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const counters = failOpen(unreachable, logger, { now: clock });
    const hit = await counters.increment("any", 60_000);
    expect(hit).toEqual({ hits: 1, resetAt: now + 60_000 });
    expect(await counters.get("any")).toBeUndefined();
    await counters.increment("any", 60_000);
    expect(warnings).toHaveLength(1);
    now += 60_000;
    await counters.increment("any", 60_000);
    expect(warnings).toHaveLength(2);
  });
});

describe("rate-limit counters in memory", () => {
  it("counts per key in fixed windows", async () => {
    let now = 0;
    const store = new MemoryCounterStore({ now: () => now });
    expect((await store.increment("a", 100)).hits).toBe(1);
    expect((await store.increment("a", 100)).hits).toBe(2);
    expect((await store.increment("b", 100)).hits).toBe(1);
    now = 100;
    expect(await store.get("a")).toBeUndefined();
    expect(await store.increment("a", 100)).toEqual({ hits: 1, resetAt: 200 });
  });
});
