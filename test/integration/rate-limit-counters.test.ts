/**
 * The rate-limit counters (rate-limiter-flexible) in PostgreSQL, as several instances share them, and in memory;
 * and the fail-open wrapper in front of the shared ones. Time is moved with vitest's fake Date: the library reads
 * the clock itself.
 */
import { createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { failOpen } from "../../services/adapters/http/counter-store.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { memoryCounters, pgCounters, SHARED_COUNTER_TIMEOUT_MS } from "../../services/adapters/store/rate-limit-counters.ts";
import type { Logger } from "../../services/logger.ts";
import { createTestSchema, type TestSchema } from "./pg-test-db.ts";

const NOW = 1_800_000_000_000;

function warningsLogger(): { logger: Logger; warnings: unknown[] } {
  const warnings: unknown[] = [];
  return { logger: { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger, warnings };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("rate-limit counters in PostgreSQL", () => {
  let schema: TestSchema;
  const pools: pg.Pool[] = [];
  /** A pool of its own per call: one per service instance. */
  const open = () => {
    const pool = new pg.Pool({ connectionString: schema.url, max: 4 });
    pools.push(pool);
    return pgCounters(pool);
  };

  beforeAll(async () => {
    schema = await createTestSchema();
    // The table comes from the store's migrations.
    await (await PgStore.open({ connectionString: schema.url, maxConnections: 3 })).close();
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await schema?.drop();
  });

  it("counts every one of 200 concurrent increments of one key exactly once", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    const counters = open();
    const results = await Promise.all(Array.from({ length: 200 }, () => counters.increment("concurrent", 60_000)));
    expect((await counters.get("concurrent"))?.hits).toBe(200);
    // Each increment saw a distinct count: 1..200, all in one window.
    expect(results.map((r) => r.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.resetAt))).toEqual(new Set([NOW + 60_000]));
  });

  it("shares the counts between two instances' pools", async () => {
    const a = open();
    const b = open();
    await Promise.all([...Array.from({ length: 30 }, () => a.increment("shared", 60_000)), ...Array.from({ length: 20 }, () => b.increment("shared", 60_000))]);
    expect((await a.get("shared"))?.hits).toBe(50);
    expect((await b.increment("shared", 60_000)).hits).toBe(51);
  });

  it("answers concurrent reads of one key with one database read, and reads afresh once it has answered", async () => {
    const pool = new pg.Pool({ connectionString: schema.url, max: 4 });
    pools.push(pool);
    const counters = pgCounters(pool);
    await counters.increment("busy-client", 60_000);
    let reads = 0;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (JSON.stringify(args[0]).includes("SELECT")) reads += 1;
      return query(...args);
    };
    const answers = await Promise.all(Array.from({ length: 8 }, () => counters.get("busy-client")));
    expect(reads).toBe(1);
    expect(new Set(answers.map((a) => a?.hits))).toEqual(new Set([1]));
    await counters.increment("busy-client", 60_000);
    expect((await counters.get("busy-client"))?.hits).toBe(2);
    expect(reads).toBe(2);
  });

  it("starts a new window at 1 once the old one has ended, and forgets the old hits", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    const counters = open();
    for (let i = 0; i < 3; i++) await counters.increment("window", 1_000);
    expect(await counters.get("window")).toEqual({ hits: 3, resetAt: NOW + 1_000 });
    vi.setSystemTime(NOW + 1_000);
    expect(await counters.get("window")).toBeUndefined();
    expect(await counters.increment("window", 1_000)).toEqual({ hits: 1, resetAt: NOW + 2_000 });
  });

  it("takes a hit back with decrement and forgets a key with resetKey", async () => {
    const counters = open();
    await counters.increment("dec", 60_000);
    await counters.increment("dec", 60_000);
    await counters.decrement("dec");
    expect((await counters.get("dec"))?.hits).toBe(1);
    await counters.resetKey("dec");
    expect(await counters.get("dec")).toBeUndefined();
    expect((await counters.increment("dec", 60_000)).hits).toBe(1);
  });

  it("deletes rows that expired an hour ago every five minutes, keeping the live ones", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"], now: NOW });
    const counters = open(); // schedules the sweep
    await counters.increment("old", 1_000);
    vi.setSystemTime(NOW + 2 * 3_600_000);
    await counters.increment("live", 60_000);
    vi.advanceTimersByTime(5 * 60_000);
    vi.useRealTimers();
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      await vi.waitFor(
        async () => {
          const { rows } = await client.query("SELECT key FROM rate_limit_counters WHERE key IN ('old', 'live') ORDER BY key");
          expect(rows.map((r) => String(r.key))).toEqual(["live"]);
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      await client.end();
    }
  });

  it("fails open when the database is unreachable: a hit counts as the first, one warning a minute", async () => {
    const pool = new pg.Pool({ connectionString: "postgres://postgres@127.0.0.1:1/none" });
    pool.on("error", () => undefined);
    pools.push(pool);
    let now = NOW;
    const { logger, warnings } = warningsLogger();
    const counters = failOpen(pgCounters(pool), logger, { now: () => now });
    expect(await counters.increment("any", 60_000)).toEqual({ hits: 1, resetAt: NOW + 60_000 });
    expect(await counters.get("any")).toBeUndefined();
    await counters.increment("any", 60_000);
    expect(warnings).toHaveLength(1);
    now += 60_000;
    await counters.increment("any", 60_000);
    expect(warnings).toHaveLength(2);
  });

  it(`fails open within ${SHARED_COUNTER_TIMEOUT_MS} ms when the database accepts connections but never answers`, async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none` });
    pool.on("error", () => undefined);
    const { logger, warnings } = warningsLogger();
    try {
      const started = Date.now();
      const hit = await failOpen(pgCounters(pool), logger).increment("any", 60_000);
      expect(hit.hits).toBe(1);
      expect(Date.now() - started).toBeLessThan(SHARED_COUNTER_TIMEOUT_MS + 1_000);
      expect(JSON.stringify(warnings[0])).toContain(`no answer within ${SHARED_COUNTER_TIMEOUT_MS} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await pool.end().catch(() => undefined);
    }
  });
});

describe("rate-limit counters in memory", () => {
  it("counts per key in fixed windows, forgetting a key when its window ends", async () => {
    vi.useFakeTimers({ now: NOW });
    const counters = memoryCounters();
    expect((await counters.increment("a", 100)).hits).toBe(1);
    expect((await counters.increment("a", 100)).hits).toBe(2);
    expect((await counters.increment("b", 100)).hits).toBe(1);
    vi.advanceTimersByTime(100);
    expect(await counters.get("a")).toBeUndefined();
    expect(await counters.increment("a", 100)).toEqual({ hits: 1, resetAt: NOW + 200 });
  });
});
