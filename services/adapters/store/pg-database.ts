/**
 * The one PostgreSQL pool of a service instance: opened once by the composition root, migrated, and
 * handed to every PostgreSQL adapter (store, locks, subscriptions, rate-limit counters), so an
 * instance holds at most `maxConnections` connections to the database.
 */
import pg from "pg";
import { EProofError, isEProofError } from "../../errors.ts";
import { migratePg } from "./migrations.ts";
import { PG_MIGRATIONS } from "./pg-schema.ts";

export interface PgPoolOptions {
  /** postgres://user@host:port/db, optionally with ?options=-c search_path=<schema>. */
  connectionString: string;
  /**
   * Pool size (default 10, at least 3): a send holds two connections for its locks (batch and
   * account) while its queries need a third.
   */
  maxConnections?: number;
}

/** Connects and brings the schema up to date (safe when several instances start at once). */
export async function openPgPool(options: PgPoolOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: Math.max(options.maxConnections ?? 10, 3) });
  // An idle connection that dies (database restart) must not crash the process.
  pool.on("error", () => undefined);
  try {
    await migratePg(pool, PG_MIGRATIONS);
  } catch (error) {
    await pool.end().catch(() => undefined);
    // An edited migration says what to do itself; anything else is a database that cannot be used.
    if (isEProofError(error, "CONFIG_INVALID")) throw error;
    throw new EProofError("CONFIG_INVALID", `cannot prepare the PostgreSQL database (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  return pool;
}
