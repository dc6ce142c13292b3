import type { MigrationList } from "./migrations.ts";
import { DEPARTMENT_POLICIES_MIGRATION, STATUS_LISTS_MIGRATION, WALLET_ISSUANCE_MIGRATION } from "./shared-migrations.ts";

/** Schema migrations of the embedded store, applied in order once each (never edit a shipped one). */
export const SQLITE_MIGRATIONS: MigrationList = {
  source: "SQLITE_MIGRATIONS (services/adapters/store/sqlite-schema.ts)",
  migrations: [
    {
      name: "documents, batches, status history, API keys, signing keys",
      sql: `
  CREATE TABLE documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    department TEXT NOT NULL,
    type TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    leaf TEXT NOT NULL,
    document_json TEXT NOT NULL,
    idempotency_key TEXT,
    batch_id INTEGER REFERENCES batches(id),
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
  CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department TEXT NOT NULL,
    type TEXT NOT NULL,
    root TEXT NOT NULL UNIQUE,
    count INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('SEALED', 'SENT', 'ANCHORED')),
    tx_hash TEXT,
    block_number INTEGER,
    block_time INTEGER,
    created_at TEXT NOT NULL,
    sent_at TEXT
  );
  CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    revoked INTEGER NOT NULL DEFAULT 0,
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
    // The signed files move out of `documents`, so that sealing a batch (which sets each document's
    // batch and proof) rewrites narrow rows instead of every 2 KB file: sealing got ~4× faster.
    {
      name: "document files in a table of their own",
      sql: `
  CREATE TABLE document_files (seq INTEGER PRIMARY KEY REFERENCES documents(seq), json TEXT NOT NULL);
  INSERT INTO document_files (seq, json) SELECT seq, document_json FROM documents;
  ALTER TABLE documents DROP COLUMN document_json;
  `,
    },
    // Webhook subscriptions (by document ids or by department + type), their durable delivery queue
    // and attempt log, and the chain follower's cursor (one row per chain id + registry).
    {
      name: "webhook subscriptions, deliveries, chain cursors",
      sql: `
  CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    url TEXT NOT NULL,
    department TEXT,
    doc_type TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX subscriptions_owner ON subscriptions (owner);
  CREATE INDEX subscriptions_type ON subscriptions (department, doc_type);
  CREATE TABLE subscription_documents (
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    PRIMARY KEY (subscription_id, document_id)
  );
  CREATE INDEX subscription_documents_document ON subscription_documents (document_id);
  CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    leased_until INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (subscription_id, event_id)
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';
  CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    http_status INTEGER,
    error TEXT,
    ms INTEGER NOT NULL
  );
  CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);
  CREATE TABLE chain_cursors (key TEXT PRIMARY KEY, block INTEGER NOT NULL, updated_at TEXT NOT NULL);
  `,
    },
    // Governance: API keys get a role (officer / admin), and every officer and admin action goes to an
    // append-only audit log. The triggers make the log refuse UPDATE and DELETE even from a SQL shell.
    {
      name: "API key roles and the audit log",
      sql: `
  ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'officer' CHECK (role IN ('officer', 'admin'));
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `,
    },
    // Relying-party keys (subscriptions only). SQLite cannot alter a CHECK constraint, so api_keys is
    // rebuilt with the wider one; the rows and their column order are kept as they were.
    {
      name: "relying-party API keys",
      sql: `
  CREATE TABLE api_keys_rebuilt (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    department TEXT NOT NULL,
    label TEXT NOT NULL,
    types TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'officer' CHECK (role IN ('officer', 'admin', 'relying-party'))
  );
  INSERT INTO api_keys_rebuilt (id, key_hash, department, label, types, revoked, created_at, role)
    SELECT id, key_hash, department, label, types, revoked, created_at, role FROM api_keys;
  DROP TABLE api_keys;
  ALTER TABLE api_keys_rebuilt RENAME TO api_keys;
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
    version INTEGER NOT NULL,
    PRIMARY KEY (kind, department, key_number)
  );
  CREATE INDEX custody_keys_version ON custody_keys (version);
  CREATE TABLE custody_changes (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
  INSERT INTO custody_changes (id, version) VALUES (1, 0);
  `,
    },
    DEPARTMENT_POLICIES_MIGRATION,
    STATUS_LISTS_MIGRATION,
    WALLET_ISSUANCE_MIGRATION,
    // Sealing keeps a batch's tree once, in chunks (domain/merkle-chunks.ts), and gives each document
    // its slot in it, instead of writing each document's proof as JSON (~1 KB a row, one UPDATE a row,
    // rows that outgrow their pages). Proofs are read from the chunks; documents sealed before keep
    // their merkle_proof.
    {
      name: "batch trees in chunks, document slots",
      sql: `
  CREATE TABLE batch_tree_chunks (
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    chunk INTEGER NOT NULL,
    nodes BLOB NOT NULL,
    PRIMARY KEY (batch_id, chunk)
  );
  ALTER TABLE documents ADD COLUMN batch_slot INTEGER;
  `,
    },
  ],
};
