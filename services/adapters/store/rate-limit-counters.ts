/**
 * The counters behind the per-client rate limits (the CounterStore port), kept by rate-limiter-flexible: in this
 * process (RateLimiterMemory) on the embedded store, or in PostgreSQL (RateLimiterPostgres on the service's pool,
 * table rate_limit_counters of PG_MIGRATIONS) so that every instance on the database shares one allowance per
 * client. A hit is one atomic upsert, so concurrent hits on several instances are all counted.
 */
import type pg from "pg";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from "rate-limiter-flexible";
import type { CounterHits, CounterStore } from "../../ports.ts";
import { withTimeout } from "../../with-timeout.ts";

/** A request never waits longer than this on shared counters (a busy pool, an unreachable database): it fails open. */
export const SHARED_COUNTER_TIMEOUT_MS = 2_000;

function hitsOf(res: RateLimiterRes): CounterHits {
  return { hits: res.consumedPoints, resetAt: Date.now() + res.msBeforeNext };
}

/**
 * The limiter's own allowance is not used: the callers (express-rate-limit, the failed-authentication limit) compare
 * the count with theirs, so a hit is a penalty(), which counts without refusing, in a window of the caller's length.
 */
function countersOf(limiter: RateLimiterAbstract, bound: <T>(work: Promise<T>) => Promise<T> = (work) => work): CounterStore {
  return {
    increment: async (key, windowMs) => hitsOf(await bound(limiter.penalty(key, 1, { customDuration: windowMs / 1000 }))),
    get: async (key) => {
      const res = await bound(limiter.get(key));
      return res ? hitsOf(res) : undefined;
    },
    decrement: async (key) => {
      await bound(limiter.reward(key, 1));
    },
    resetKey: async (key) => {
      await bound(limiter.delete(key));
    },
  };
}

/** Counters in this process: the allowance of one instance. Each key is forgotten when its window ends. */
export function memoryCounters(): CounterStore {
  return countersOf(new RateLimiterMemory({ points: 1, duration: 60, keyPrefix: "" }));
}

/**
 * Counters in PostgreSQL, shared by every instance on the database, on the service's pool (no pool of their own).
 * The table comes from PG_MIGRATIONS (`tableCreated`), so instances starting together never race to create it;
 * rate-limiter-flexible deletes rows that expired an hour ago every five minutes.
 */
export function pgCounters(pool: pg.Pool): CounterStore {
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: "pool",
    tableName: "rate_limit_counters",
    tableCreated: true,
    points: 1,
    duration: 60,
    keyPrefix: "",
  });
  return sharingReads(
    countersOf(limiter, (work) =>
      withTimeout(work, SHARED_COUNTER_TIMEOUT_MS, () => new Error(`rate limit counters: no answer within ${SHARED_COUNTER_TIMEOUT_MS} ms`)),
    ),
  );
}

/**
 * Concurrent reads of one key share one database read: a request that asks while a read of its key
 * is on its way takes that read's answer, sent at most one round trip before its own would have been
 * (and a hit racing a read may land on either side of it anyway). Every
 * authenticated request reads its client's failed-authentication count, so a busy client's requests
 * would otherwise each cost a round trip for the same row.
 */
function sharingReads(counters: CounterStore): CounterStore {
  const reading = new Map<string, Promise<CounterHits | undefined>>();
  return {
    ...counters,
    get: (key) => {
      const known = reading.get(key);
      if (known) return known;
      const read = counters.get(key).finally(() => reading.delete(key));
      reading.set(key, read);
      return read;
    },
  };
}
