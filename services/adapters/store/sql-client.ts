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
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** The dialect's SQL for the hex text (no 0x, either case) of a BLOB / BYTEA expression. */
  hexOf(bytes: string): string;
}

/** `$1` → `?1`: SQLite's numbered parameters take PostgreSQL's placeholders as they are. */
export function sqliteText(sql: string): string {
  return sql.replace(/\$(\d+)/g, "?$1");
}

/** Statement texts marked with planOnce, and the name each runs under on PostgreSQL. */
const planOnceNames = new Map<string, string>();

/**
 * Marks a statement whose one generic plan is right for every parameter value (a lookup by primary
 * key or unique column, an insert from arrays): on PostgreSQL it runs as a named (prepared) statement,
 * which each pooled connection parses and plans once, then only binds and executes. Planning the
 * document lookup's three-table join was two thirds of its database CPU (about 180 µs of 250).
 * Statements whose best plan depends on the values (a partial index that only some values can use,
 * a range whose width varies) stay unnamed and are planned with their values every time. Answers
 * `sql`, so that a constant can be declared through it.
 */
export function planOnce(sql: string): string {
  if (!planOnceNames.has(sql)) planOnceNames.set(sql, `eproof_${planOnceNames.size + 1}`);
  return sql;
}

/** node-postgres's query config of `text`: named when it was marked with planOnce (one name per text per process, as node-postgres requires). */
export function pgStatement(text: string, values: readonly unknown[] = []): pg.QueryConfig {
  const name = planOnceNames.get(text);
  return name === undefined ? { text, values: [...values] } : { name, text, values: [...values] };
}

export function pgClient(pool: pg.Pool): SqlClient {
  return {
    all: async (sql, params = []) => (await pool.query(pgStatement(sql, params))).rows as Row[],
    run: async (sql, params = []) => (await pool.query(pgStatement(sql, params))).rowCount ?? 0,
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
