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
