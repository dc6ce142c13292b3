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
 * shares. status_list_entries: a document's place, written once (by the officers' loop right after
 * issuance, or by an export that came first; never on the issuance path); the unique constraints make a place impossible to give twice even if a bug
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

/**
 * OpenID4VCI wallet issuance (issue 15): credential offers, the access tokens they were redeemed
 * for, and c_nonces. Hashes only, never the codes, tokens or nonces; times in ms since the epoch.
 */
export const WALLET_ISSUANCE_MIGRATION: Migration = {
  name: "OpenID4VCI credential offers, access tokens, nonces",
  sql: `
  CREATE TABLE credential_offers (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    tx_code_hash TEXT,
    document_id TEXT NOT NULL,
    department TEXT NOT NULL,
    configuration_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('OFFERED', 'REDEEMED', 'LOCKED')),
    tx_failures INTEGER NOT NULL DEFAULT 0,
    redeemed_at BIGINT
  );
  CREATE INDEX credential_offers_document ON credential_offers (document_id);
  CREATE TABLE wallet_access_tokens (
    token_hash TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL REFERENCES credential_offers(id),
    document_id TEXT NOT NULL,
    department TEXT NOT NULL,
    configuration_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX wallet_access_tokens_expiry ON wallet_access_tokens (expires_at);
  CREATE TABLE wallet_nonces (
    nonce_hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX wallet_nonces_expiry ON wallet_nonces (expires_at);
  `,
};
