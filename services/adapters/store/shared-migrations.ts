/**
 * Migrations whose SQL text is the same in both dialects, written once and listed by both
 * PG_MIGRATIONS and SQLITE_MIGRATIONS. Frozen like every shipped migration: the text is checksummed
 * (migrations.ts), so changing a byte here stops every database, of either dialect, that ran it.
 */
import type { Migration } from "./migrations.ts";

/**
 * Which reason codes each department publishes in public verify answers (none by default): the
 * reasons themselves never leave the department's store otherwise, and never go on chain.
 */
export const DEPARTMENT_POLICIES_MIGRATION: Migration = {
  name: "department publication policies",
  sql: `
  CREATE TABLE department_policies (
    department TEXT PRIMARY KEY,
    publishable_reason_codes TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
};

/**
 * The status lists of issue 15. status_list_departments: each department's secret (the key of the
 * index permutation, domain/status-list-index.ts) and its ordinal counter, one row every instance
 * shares. status_list_entries: a document's place, written once (the first time it is needed, never
 * on the issuance path); the unique constraints make a place impossible to give twice even if a bug
 * tried. status_list_publications: the lists as last signed by an officer instance, which an instance
 * without keys serves. The partial index finds a department's documents that are not ACTIVE (the
 * only entries a list marks) without touching the rows issuance inserts (they are all ACTIVE).
 */
export const STATUS_LISTS_MIGRATION: Migration = {
  name: "status lists: entries, department secrets and counters, signed lists",
  sql: `
  CREATE TABLE status_list_departments (
    department TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    next_ordinal BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE status_list_entries (
    document_seq BIGINT PRIMARY KEY REFERENCES documents(seq),
    department TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    list INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    UNIQUE (department, ordinal),
    UNIQUE (department, list, idx)
  );
  CREATE TABLE status_list_publications (
    department TEXT NOT NULL,
    list INTEGER NOT NULL,
    format TEXT NOT NULL,
    jws TEXT NOT NULL,
    version TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (department, list, format)
  );
  CREATE INDEX documents_not_active ON documents (department) WHERE status <> 'ACTIVE';
  `,
};
