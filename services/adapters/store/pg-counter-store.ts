/**
 * Rate-limit counters in PostgreSQL (table rate_limit_hits, created by PG_MIGRATIONS), shared by
 * every instance on the database. One hit is one atomic statement, so concurrent hits from several
 * instances are all counted. Expired rows are deleted now and then (at most once per cleanup interval).
 */
import pg from "pg";
import type { CounterHits, CounterStore } from "../../ports.ts";

export interface PgCounterStoreOptions {
  now?: () => number;
  /** How often expired rows are deleted (ms, default one minute). */
  cleanupEveryMs?: number;
}

export class PgCounterStore implements CounterStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #now: () => number;
  readonly #cleanupEveryMs: number;
  #lastCleanup: number;

  constructor(pool: pg.Pool, options: PgCounterStoreOptions & { ownsPool?: boolean } = {}) {
    this.#pool = pool;
    this.#ownsPool = options.ownsPool ?? false;
    this.#now = options.now ?? Date.now;
    this.#cleanupEveryMs = options.cleanupEveryMs ?? 60_000;
    this.#lastCleanup = this.#now();
  }

  /**
   * A small pool of its own, with short timeouts: a request never waits long on a database hiccup
   * (the caller fails open). The table must exist: PgStore.open migrates it.
   */
  static connect(connectionString: string, options: PgCounterStoreOptions = {}): PgCounterStore {
    const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 2_000, query_timeout: 2_000 });
    // A dropped idle connection must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    return new PgCounterStore(pool, { ...options, ownsPool: true });
  }

  async increment(key: string, windowMs: number): Promise<CounterHits> {
    const now = this.#now();
    const { rows } = await this.#pool.query(
      `INSERT INTO rate_limit_hits (key, hits, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_hits.reset_at <= $2::bigint THEN 1 ELSE rate_limit_hits.hits + 1 END,
         reset_at = CASE WHEN rate_limit_hits.reset_at <= $2::bigint THEN $2::bigint + $3::bigint ELSE rate_limit_hits.reset_at END
       RETURNING hits, reset_at`,
      [key, now, windowMs],
    );
    this.#cleanupSometimes(now);
    const row = rows[0] as { hits: number; reset_at: string };
    return { hits: Number(row.hits), resetAt: Number(row.reset_at) };
  }

  async get(key: string): Promise<CounterHits | undefined> {
    const { rows } = await this.#pool.query("SELECT hits, reset_at FROM rate_limit_hits WHERE key = $1 AND reset_at > $2", [key, this.#now()]);
    const row = rows[0] as { hits: number; reset_at: string } | undefined;
    return row ? { hits: Number(row.hits), resetAt: Number(row.reset_at) } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.#pool.query("UPDATE rate_limit_hits SET hits = GREATEST(hits - 1, 0) WHERE key = $1 AND reset_at > $2", [key, this.#now()]);
  }

  async resetKey(key: string): Promise<void> {
    await this.#pool.query("DELETE FROM rate_limit_hits WHERE key = $1", [key]);
  }

  /** Deletes every expired row now (also done in the background by increment). Returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.#pool.query("DELETE FROM rate_limit_hits WHERE reset_at <= $1", [this.#now()]);
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.#ownsPool) await this.#pool.end();
  }

  #cleanupSometimes(now: number): void {
    if (now - this.#lastCleanup < this.#cleanupEveryMs) return;
    this.#lastCleanup = now;
    this.deleteExpired().catch(() => undefined);
  }
}
