import type { MigrationList } from "./migrations.ts";
import { DEPARTMENT_POLICIES_MIGRATION, STATUS_LISTS_MIGRATION, WALLET_ISSUANCE_MIGRATION } from "./shared-migrations.ts";

/**
 * Schema migrations of the PostgreSQL store, applied in order once each (never edit a shipped one).
 * Tables are created unqualified, so they land in the first schema of the connection's search_path.
 * Times stay ISO 8601 text, as in the SQLite store, so both stores sort and return them alike.
 */
export const PG_MIGRATIONS: MigrationList = {
  source: "PG_MIGRATIONS (services/adapters/store/pg-schema.ts)",
  migrations: [
    {
      name: "documents, batches, status history, API keys, signing keys",
      sql: `
  CREATE TABLE batches (
    id BIGSERIAL PRIMARY KEY,
    department TEXT NOT NULL,
    type TEXT NOT NULL,
    root TEXT NOT NULL UNIQUE,
    count INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('SEALED', 'SENT', 'ANCHORED')),
    tx_hash TEXT,
    block_number BIGINT,
    block_time BIGINT,
    created_at TEXT NOT NULL,
    sent_at TEXT
  );
  CREATE INDEX batches_unfinished ON batches (id) WHERE state <> 'ANCHORED';
  CREATE TABLE documents (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    department TEXT NOT NULL,
    type TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    leaf TEXT NOT NULL,
    idempotency_key TEXT,
    batch_id BIGINT REFERENCES batches(id),
    merkle_proof TEXT,
    status TEXT NOT NULL DEFAULT 'ACTIVE',
    status_reason TEXT,
    status_reason_code INTEGER NOT NULL DEFAULT 0,
    status_changed_at TEXT,
    successor TEXT
  );
  CREATE INDEX documents_unbatched ON documents (department, type, seq) WHERE batch_id IS NULL;
  CREATE INDEX documents_batch ON documents (batch_id);
  CREATE UNIQUE INDEX documents_idempotency ON documents (department, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE TABLE document_files (seq BIGINT PRIMARY KEY REFERENCES documents(seq), json TEXT NOT NULL);
  CREATE TABLE status_changes (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    reason_code INTEGER NOT NULL,
    successor TEXT,
    actor TEXT NOT NULL,
    tx_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL
  );
  CREATE INDEX status_changes_document ON status_changes (document_id);
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    department TEXT NOT NULL,
    label TEXT NOT NULL,
    types TEXT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    department TEXT NOT NULL,
    key_number INTEGER NOT NULL,
    thumbprint TEXT NOT NULL UNIQUE,
    public_jwk TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    compromised_at TEXT
  );
  `,
    },
    // Governance: API keys get a role (officer / admin), and every officer and admin action goes to an
    // append-only audit log. The trigger makes the log refuse UPDATE, DELETE and TRUNCATE even from psql.
    {
      name: "API key roles and the audit log",
      sql: `
  ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'officer' CHECK (role IN ('officer', 'admin'));
  CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    department TEXT,
    document_id TEXT,
    details TEXT NOT NULL
  );
  CREATE INDEX audit_log_department ON audit_log (department, seq);
  CREATE INDEX audit_log_document ON audit_log (document_id) WHERE document_id IS NOT NULL;
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
    },
    // Relying-party keys (subscriptions only): the role check is widened. PostgreSQL named the column
    // check of the governance migration api_keys_role_check.
    {
      name: "relying-party API keys",
      sql: `
  ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
  ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('officer', 'admin', 'relying-party'));
  `,
    },
    // Rate-limit counters shared by every instance (replaced by rate_limit_counters below).
    {
      name: "rate-limit hits",
      sql: `
  CREATE TABLE rate_limit_hits (
    key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    reset_at BIGINT NOT NULL
  );
  CREATE INDEX rate_limit_hits_reset_at ON rate_limit_hits (reset_at);
  `,
    },
    // Key custody shared by every instance: each department's private keys (document signing and
    // anchoring), sealed with AES-256-GCM under a key-encryption key the database never sees. The
    // primary key allocates key numbers (a number is never used twice); custody_changes is the one
    // counter every write moves in its own transaction, so instances poll a single row to notice changes.
    {
      name: "key custody",
      sql: `
  CREATE TABLE custody_keys (
    kind TEXT NOT NULL CHECK (kind IN ('SIGNING', 'ANCHORING')),
    department TEXT NOT NULL,
    key_number INTEGER NOT NULL CHECK (key_number > 0),
    public_part TEXT NOT NULL,
    sealed TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'RETIRED', 'COMPROMISED') AND (kind = 'SIGNING' OR state <> 'COMPROMISED')),
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (kind, department, key_number)
  );
  CREATE INDEX custody_keys_version ON custody_keys (version);
  CREATE TABLE custody_changes (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
  INSERT INTO custody_changes (id, version) VALUES (1, 0);
  `,
    },
    DEPARTMENT_POLICIES_MIGRATION,
    // Rate-limit counters kept by rate-limiter-flexible (services/adapters/store/rate-limit-counters.ts), in the
    // table layout RateLimiterPostgres expects; they replace rate_limit_hits, which nothing reads any more (an
    // instance of an earlier version still running during an upgrade fails open: it lets its requests through).
    {
      name: "rate-limit counters of rate-limiter-flexible",
      sql: `
  CREATE TABLE rate_limit_counters (
    key TEXT PRIMARY KEY,
    points INTEGER NOT NULL DEFAULT 0,
    expire BIGINT
  );
  CREATE INDEX rate_limit_counters_expire ON rate_limit_counters (expire);
  DROP TABLE rate_limit_hits;
  `,
    },
    // Webhook subscriptions, their delivery queue and attempt log, and the chain follower's cursor, which an
    // unversioned ensureSchema() of pg-subscriptions.ts created before: IF NOT EXISTS, so a database that
    // already has them passes.
    {
      name: "webhook subscriptions, deliveries, chain cursors",
      sql: `
  CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    url TEXT NOT NULL,
    department TEXT,
    doc_type TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS subscriptions_owner ON subscriptions (owner);
  CREATE INDEX IF NOT EXISTS subscriptions_type ON subscriptions (department, doc_type);
  CREATE TABLE IF NOT EXISTS subscription_documents (
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    PRIMARY KEY (subscription_id, document_id)
  );
  CREATE INDEX IF NOT EXISTS subscription_documents_document ON subscription_documents (document_id);
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    leased_until BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (subscription_id, event_id)
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';
  CREATE TABLE IF NOT EXISTS webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    http_status INTEGER,
    error TEXT,
    ms INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS webhook_attempts_delivery ON webhook_attempts (delivery_id);
  CREATE TABLE IF NOT EXISTS chain_cursors (key TEXT PRIMARY KEY, block BIGINT NOT NULL, updated_at TEXT NOT NULL);
`,
    },
    STATUS_LISTS_MIGRATION,
    WALLET_ISSUANCE_MIGRATION,
    // Sealing keeps a batch's tree once, in chunks (domain/merkle-chunks.ts), and gives each document
    // its slot in it, instead of writing each document's proof as JSON. Proofs are read from the
    // chunks; documents sealed before keep their merkle_proof. A chunk (at most 4,032 bytes of hashes,
    // which do not compress) stays in its row: PLAIN, neither compressed nor moved to TOAST.
    {
      name: "batch trees in chunks, document slots",
      sql: `
  CREATE TABLE batch_tree_chunks (
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    chunk INTEGER NOT NULL,
    nodes BYTEA NOT NULL,
    PRIMARY KEY (batch_id, chunk)
  );
  ALTER TABLE batch_tree_chunks ALTER COLUMN nodes SET STORAGE PLAIN;
  ALTER TABLE documents ADD COLUMN batch_slot INTEGER;
  `,
    },
  ],
};
