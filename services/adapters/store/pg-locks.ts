/**
 * Locks between instances on one PostgreSQL database: session advisory locks, each held on a
 * connection of the instance's pool for as long as its work runs. A lock dies with the instance that
 * holds it (kill -9 closes its connection and PostgreSQL releases it), so there is no lease to expire.
 */
import type pg from "pg";
import type { Locks } from "../../ports.ts";
import { pgStatement, planOnce } from "./sql-client.ts";

/** Advisory lock keys: (schema, name), so that two schemas of one database never share a lock. */
export const PG_LOCK_KEYS = "hashtext(current_schema()), hashtext($1)";
const LOCK = planOnce(`SELECT pg_advisory_lock(${PG_LOCK_KEYS})`);
const TRY_LOCK = planOnce(`SELECT pg_try_advisory_lock(${PG_LOCK_KEYS}) AS locked`);
const UNLOCK = planOnce(`SELECT pg_advisory_unlock(${PG_LOCK_KEYS})`);

export class PgLocks implements Locks {
  readonly #pool: pg.Pool;

  /** `pool`: the instance's one pool. A send holds two of its connections (batch and account) while its queries need a third. */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const held = await this.#holding(name, true, work);
    if (!held) throw new Error(`advisory lock ${name} was not taken`);
    return held.value;
  }

  tryWithLock<T>(name: string, work: () => Promise<T>): Promise<{ value: T } | null> {
    return this.#holding(name, false, work);
  }

  /** Runs `work` holding `name`: waiting for it, or (`wait` false) only if it is free now. */
  async #holding<T>(name: string, wait: boolean, work: () => Promise<T>): Promise<{ value: T } | null> {
    const client = await this.#pool.connect();
    let broken = false;
    // A held connection that dies (database restart, connection killed) must not crash the process;
    // PostgreSQL has released the lock with it, and the connection is not reused.
    const onError = () => {
      broken = true;
    };
    client.on("error", onError);
    try {
      if (wait) await client.query(pgStatement(LOCK, [name]));
      else if ((await client.query(pgStatement(TRY_LOCK, [name]))).rows[0]?.locked !== true) return null;
      try {
        return { value: await work() };
      } finally {
        await client.query(pgStatement(UNLOCK, [name])).catch(() => {
          broken = true;
        });
      }
    } finally {
      // A connection whose unlock failed may still hold the lock: destroy it rather than reuse it.
      client.off("error", onError);
      client.release(broken);
    }
  }
}
