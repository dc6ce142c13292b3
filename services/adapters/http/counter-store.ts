/**
 * The counters behind the per-client rate limits: in memory (one process) by default, or in
 * PostgreSQL (services/adapters/store/pg-counter-store.ts) so that several instances behind a load
 * balancer share one allowance per client. `failOpen` wraps a shared store so that a database hiccup
 * lets requests through (with a warning at most once a minute) instead of answering 500.
 */
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from "express-rate-limit";
import type { Logger } from "../../logger.ts";
import type { CounterHits, CounterStore } from "../../ports.ts";

/** The port (services/ports.ts), re-exported for the rate limiter's callers. */
export type { CounterHits, CounterStore };

/** Fixed-window counters in this process; bounded so that many client addresses cannot exhaust memory. */
export class MemoryCounterStore implements CounterStore {
  readonly #entries = new Map<string, CounterHits>();
  readonly #now: () => number;
  readonly #maxTracked: number;

  constructor(options: { now?: () => number; maxTracked?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxTracked = options.maxTracked ?? 100_000;
  }

  async increment(key: string, windowMs: number): Promise<CounterHits> {
    const now = this.#now();
    const current = this.#entries.get(key);
    if (current && current.resetAt > now) {
      current.hits += 1;
      return { ...current };
    }
    if (!current && this.#entries.size >= this.#maxTracked) {
      for (const [k, value] of this.#entries) if (value.resetAt <= now) this.#entries.delete(k);
      if (this.#entries.size >= this.#maxTracked) this.#entries.clear();
    }
    const fresh = { hits: 1, resetAt: now + windowMs };
    this.#entries.set(key, fresh);
    return { ...fresh };
  }

  async get(key: string): Promise<CounterHits | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.resetAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return { ...entry };
  }

  async decrement(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry && entry.hits > 0) entry.hits -= 1;
  }

  async resetKey(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}

/**
 * A counter store that never fails: when `store` throws (database unreachable), the request is let
 * through as if it were the first of its window, and one warning is logged at most every `warnEveryMs`.
 */
export function failOpen(store: CounterStore, logger: Logger, options: { now?: () => number; warnEveryMs?: number } = {}): CounterStore {
  const now = options.now ?? Date.now;
  const warnEveryMs = options.warnEveryMs ?? 60_000;
  let lastWarned = Number.NEGATIVE_INFINITY;
  const warn = (error: unknown) => {
    const at = now();
    if (at - lastWarned < warnEveryMs) return;
    lastWarned = at;
    logger.warn(
      { event: "rate_limit.store_unavailable", reason: error instanceof Error ? error.message.slice(0, 200) : String(error) },
      "rate limit counters unavailable: requests are let through unlimited until they are back",
    );
  };
  return {
    increment: (key, windowMs) =>
      store.increment(key, windowMs).catch((error: unknown) => {
        warn(error);
        return { hits: 1, resetAt: now() + windowMs };
      }),
    get: (key) =>
      store.get(key).catch((error: unknown) => {
        warn(error);
        return undefined;
      }),
    decrement: (key) => store.decrement(key).catch(warn),
    resetKey: (key) => store.resetKey(key).catch(warn),
    close: () => store.close?.() ?? Promise.resolve(),
  };
}

/** An express-rate-limit Store over a CounterStore; `prefix` keeps the allowances of several limiters apart. */
export class CounterRateLimitStore implements Store {
  readonly localKeys: boolean;
  readonly prefix: string;
  readonly #counters: CounterStore;
  #windowMs = 60_000;

  constructor(counters: CounterStore, prefix: string, options: { shared: boolean }) {
    this.#counters = counters;
    this.prefix = prefix;
    this.localKeys = !options.shared;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const hits = await this.#counters.get(this.prefix + key);
    return hits ? { totalHits: hits.hits, resetTime: new Date(hits.resetAt) } : undefined;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const hits = await this.#counters.increment(this.prefix + key, this.#windowMs);
    return { totalHits: hits.hits, resetTime: new Date(hits.resetAt) };
  }

  decrement(key: string): Promise<void> {
    return this.#counters.decrement(this.prefix + key);
  }

  resetKey(key: string): Promise<void> {
    return this.#counters.resetKey(this.prefix + key);
  }
}
