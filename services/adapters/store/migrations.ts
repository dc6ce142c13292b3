/**
 * The one migration runner of both stores. schema_migrations keeps each applied version with the
 * sha256 of its SQL text, so a shipped migration edited afterwards stops the start: otherwise the
 * databases that ran the old text and those that run the new one would differ without anyone knowing.
 * The dialects differ only in how they execute the plan (SQLite synchronously in its constructor,
 * PostgreSQL under an advisory lock, so that instances starting together migrate once).
 */
import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type pg from "pg";
import { EProofError } from "../../errors.ts";
import { PG_LOCK_KEYS } from "./pg-locks.ts";
import { inSqliteTransaction } from "./sqlite-database.ts";

/** One schema change. Never edited once shipped: a change is a new migration at the end of its list. */
export interface Migration {
  /** What it does, in a few words: the start-up error names it. */
  name: string;
  sql: string;
}

/** A list of migrations and where it lives (for the message). Version n is the list's n-th entry. */
export interface MigrationList {
  source: string;
  migrations: readonly Migration[];
}

/** A row of schema_migrations: the checksum is null where an earlier runner, which kept none, applied it. */
export interface AppliedMigration {
  version: number;
  checksum: string | null;
}

export interface MigrationPlan {
  /** Applied before checksums were kept: their checksums are recorded now (trust on first use). */
  stamp: Array<{ version: number; checksum: string }>;
  /** Not applied yet, in order. */
  apply: Array<{ version: number; checksum: string; sql: string }>;
}

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/**
 * What to do to a database with `applied` rows. Throws EProofError("CONFIG_INVALID") for a migration
 * whose text differs from the one the database ran. Versions beyond the list (written by a newer
 * release during a rolling upgrade) are left alone, as before.
 */
export function planMigrations(list: MigrationList, applied: readonly AppliedMigration[]): MigrationPlan {
  const recorded = new Map(applied.map((row) => [row.version, row.checksum]));
  const plan: MigrationPlan = { stamp: [], apply: [] };
  for (const [index, migration] of list.migrations.entries()) {
    const version = index + 1;
    const checksum = checksumOf(migration.sql);
    if (!recorded.has(version)) {
      plan.apply.push({ version, checksum, sql: migration.sql });
      continue;
    }
    const ran = recorded.get(version) ?? null;
    if (ran === null) plan.stamp.push({ version, checksum });
    else if (ran !== checksum) {
      throw new EProofError(
        "CONFIG_INVALID",
        `migration ${version} ("${migration.name}") in ${list.source} is not the text this database ran (sha256 ${ran.slice(0, 12)}…, ` +
          `now ${checksum.slice(0, 12)}…): a shipped migration is never edited. Put its text back as it was and make the change ` +
          "in a new migration at the end of the list.",
      );
    }
  }
  return plan;
}

const CREATE_TABLE = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, checksum TEXT)";
const SELECT_APPLIED = "SELECT version, checksum FROM schema_migrations";
const appliedOf = (rows: Array<Record<string, unknown>>): AppliedMigration[] =>
  rows.map((row) => ({ version: Number(row.version), checksum: (row.checksum as string | null) ?? null }));

/** Brings an embedded database up to date, each migration in a transaction of its own. */
export function migrateSqlite(db: DatabaseSync, list: MigrationList): void {
  const plan = inSqliteTransaction(db, () => {
    db.exec(CREATE_TABLE);
    // A table written by the runner before checksums: the column is added, its rows stamped below.
    if (!db.prepare("SELECT 1 FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'").get()) {
      db.exec("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT");
    }
    const found = planMigrations(list, appliedOf(db.prepare(SELECT_APPLIED).all()));
    const stamp = db.prepare("UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum IS NULL");
    for (const { version, checksum } of found.stamp) stamp.run(checksum, version);
    return found;
  });
  for (const { version, checksum, sql } of plan.apply) {
    inSqliteTransaction(db, () => {
      db.exec(sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_at, checksum) VALUES (?, ?, ?)").run(version, new Date().toISOString(), checksum);
    });
  }
}

/**
 * Brings a PostgreSQL schema up to date under an advisory lock (keyed by schema): the first instance
 * migrates, the others wait and find nothing left to do. Each migration commits on its own.
 */
export async function migratePg(pool: pg.Pool, list: MigrationList): Promise<void> {
  // Everything on the one connection that holds the lock: the pool may be a single connection.
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${PG_LOCK_KEYS})`, ["eproof.migrate"]);
    try {
      await client.query(CREATE_TABLE);
      await client.query("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT");
      const plan = planMigrations(list, appliedOf((await client.query(SELECT_APPLIED)).rows));
      for (const { version, checksum } of plan.stamp) {
        await client.query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2 AND checksum IS NULL", [checksum, version]);
      }
      for (const { version, checksum, sql } of plan.apply) {
        await client.query("BEGIN");
        try {
          await client.query(sql);
          await client.query("INSERT INTO schema_migrations (version, applied_at, checksum) VALUES ($1, $2, $3)", [
            version,
            new Date().toISOString(),
            checksum,
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${PG_LOCK_KEYS})`, ["eproof.migrate"]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
