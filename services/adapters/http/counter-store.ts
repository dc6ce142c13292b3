/**
 * The rate limits' side of their counters (the CounterStore port, kept by rate-limiter-flexible in
 * services/adapters/store/rate-limit-counters.ts: in memory, or in PostgreSQL shared by every instance).
 * `failOpen` wraps a shared store so that a database hiccup lets requests through (with a warning at most
 * once a minute) instead of answering 500; CounterRateLimitStore lends the counters to express-rate-limit.
 */
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from "express-rate-limit";
import type { Logger } from "../../logger.ts";
import type { CounterStore } from "../../ports.ts";

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

/**
 * An express-rate-limit Store over a CounterStore; `prefix` keeps the allowances of several limiters apart (so the
 * keys are not "local" to this store object, even in memory).
 */
export class CounterRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  readonly #counters: CounterStore;
  #windowMs = 60_000;

  constructor(counters: CounterStore, prefix: string) {
    this.#counters = counters;
    this.prefix = prefix;
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
