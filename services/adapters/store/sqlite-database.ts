/** The SQLite file as both SQLite adapters open it, and their one transaction helper. */
import { DatabaseSync } from "node:sqlite";

/** WAL with synchronous FULL: a committed write survives a power cut; readers never block the writer. */
export function openSqlite(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  return db;
}

/** Runs `work` in one IMMEDIATE transaction: COMMIT when it returns, ROLLBACK when it throws. */
export function inSqliteTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
