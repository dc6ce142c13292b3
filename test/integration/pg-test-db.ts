/**
 * A private PostgreSQL schema per test: created fresh, reached through `search_path` in the URL, and
 * dropped afterwards. The local PostgreSQL (CI has one) is required: when it is unreachable these
 * tests FAIL, they never skip. EPROOF_TEST_DATABASE_URL overrides where it is.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.EPROOF_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestSchema {
  schema: string;
  /** The database URL whose connections use only this schema. */
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} is needed by this test and could not be reached: ${String(error)}`, { cause: error });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestSchema(): Promise<TestSchema> {
  const schema = `eproof_test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE SCHEMA ${schema}`));
  const separator = TEST_DATABASE_URL.includes("?") ? "&" : "?";
  return {
    schema,
    url: `${TEST_DATABASE_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: () => admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** Terminates the connections that hold advisory locks of `schema`, as the death of their process would. */
export async function terminateLockHolders(schema: string): Promise<number> {
  return admin(async (client) => {
    const { rows } = await client.query(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND pid <> pg_backend_pid()
          AND classid::bigint = (hashtext($1)::bigint + 4294967296) % 4294967296`,
      [schema],
    );
    return rows.length;
  });
}
