/**
 * One statement at a time on either dialect's connection, so that SQL both dialects share is written
 * once, with PostgreSQL's $1, $2… placeholders; SQLite gets them as its numbered ?1, ?2… (the same
 * binding by position, a number used twice binds one value). Transactions stay each dialect's own:
 * SQLite's are synchronous (nothing else runs on the event loop while one is open), PostgreSQL's
 * hold one pooled connection.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type pg from "pg";
import type { Row } from "./store-rows.ts";

export type SqlValue = string | number | null;

export interface SqlClient {
  /**
   * `name`: keep the statement prepared under this name (PostgreSQL parses and plans it once per
   * connection; SQLite prepares every statement once anyway). Only for statements whose result
   * columns are listed, never `*`: a column added by a newer instance's migration would change a
   * prepared `*`'s result type, which PostgreSQL refuses to execute.
   */
  all(sql: string, params?: readonly SqlValue[], name?: string): Promise<Row[]>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** The dialect's SQL for the hex text (no 0x, either case) of a BLOB / BYTEA expression. */
  hexOf(bytes: string): string;
}

/** `$1` → `?1`: SQLite's numbered parameters take PostgreSQL's placeholders as they are. */
export function sqliteText(sql: string): string {
  return sql.replace(/\$(\d+)/g, "?$1");
}

export function pgClient(pool: pg.Pool): SqlClient {
  return {
    all: async (sql, params = [], name) =>
      (await pool.query(name ? { name, text: sql, values: [...params] } : { text: sql, values: [...params] })).rows as Row[],
    run: async (sql, params = []) => (await pool.query(sql, [...params])).rowCount ?? 0,
    hexOf: (bytes) => `encode(${bytes}, 'hex')`,
  };
}

/** Statements are prepared once per text and kept (the set of texts is fixed, but for the audit filter's few shapes). */
export function sqliteClient(db: DatabaseSync): SqlClient & { prepare(sql: string): StatementSync } {
  const prepared = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sqliteText(sql));
      prepared.set(sql, statement);
    }
    return statement;
  };
  return {
    prepare,
    all: async (sql, params = []) => prepare(sql).all(...(params as SQLInputValue[])),
    run: async (sql, params = []) => Number(prepare(sql).run(...(params as SQLInputValue[])).changes),
    hexOf: (bytes) => `hex(${bytes})`,
  };
}
