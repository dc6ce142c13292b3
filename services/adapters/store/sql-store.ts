/**
 * What the SQLite and PostgreSQL stores share: every statement that is the same in both dialects,
 * written once over a SqlClient (sql-client.ts) and mapped by store-rows.ts. A dialect's class
 * (sqlite-store.ts, pg-store.ts) adds what differs: the writes that need a transaction (SQLite's
 * synchronous, PostgreSQL's on one pooled connection), bulk statements, and how it reports a taken
 * idempotency key.
 *
 * One class per dialect implements the small ports of the data it holds (documents and outbox, status
 * history, API keys, signing-key mirror, custody, policies, audit) rather than one class per kind:
 * every kind lives in the same database and shares its one connection (SQLite) or pool (PostgreSQL),
 * and a class per kind and dialect would be ten small classes that only pass that connection on.
 * Callers still see only the port they are given.
 */
import { MERKLE_NODE_BYTES } from "../../domain/merkle.ts";
import { MERKLE_CHUNK_LEVELS, MERKLE_PROOF_CHUNKS, MERKLE_PROOF_STEPS, type MerkleChunk, merkleChunks, merkleLeafSlot } from "../../domain/merkle-chunks.ts";
import type { OnChainStatus } from "../../domain/verification-record.ts";
import type {
  ApiKeyRecord,
  ApiKeyRecords,
  AuditEntry,
  AuditFilter,
  AuditLog,
  BatchTreeBuilder,
  CredentialOfferRecords,
  CustodyKeyIdentity,
  CustodyKeyState,
  CustodyRecords,
  DepartmentPolicies,
  DocumentStore,
  Hex,
  NewCustodyKey,
  NewDocument,
  PublishedStatusList,
  SigningKeyMirror,
  SigningKeyRecord,
  StatusChangeRecord,
  StatusHistory,
  StatusListEntry,
  StatusListRecords,
  StoredBatch,
  StoredCustodyKey,
  StoredDocument,
  TxReceipt,
} from "../../ports.ts";
import { planOnce, type SqlClient, type SqlValue } from "./sql-client.ts";
import { SqlCredentialOffers } from "./sql-credential-offers.ts";
import { type Row, reasonCodesOf, toApiKey, toAuditEntry, toBatch, toCustodyKey, toSigningKey, toStatusChange, toStoredDocument } from "./store-rows.ts";

/** Statements the dialects' own transactions run (in $n form; SQLite rewrites them with sqliteText). */
export const STATEMENTS = {
  insertStatusChange: `INSERT INTO status_changes (document_id, status, reason, reason_code, successor, actor, tx_hash, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  setCurrentStatus: `UPDATE documents SET status = $1, status_reason = $2, status_reason_code = $3, status_changed_at = $4,
              successor = COALESCE($5, successor) WHERE id = $6`,
  /** ON CONFLICT DO NOTHING: a concurrent insert of the same number yields nothing; the caller retries with the next number. */
  insertCustodyKey: `INSERT INTO custody_keys (kind, department, key_number, public_part, sealed, state, created_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0) ON CONFLICT (kind, department, key_number) DO NOTHING RETURNING key_number`,
  setCustodyKeyState: `UPDATE custody_keys SET state = $1 WHERE kind = $2 AND department = $3 AND key_number = $4
            AND state <> $1 AND state <> 'COMPROMISED' RETURNING key_number`,
  nextCustodyVersion: "UPDATE custody_changes SET version = version + 1 WHERE id = 1 RETURNING version",
  stampCustodyKey: "UPDATE custody_keys SET version = $1 WHERE kind = $2 AND department = $3 AND key_number = $4",
  insertBatch: `INSERT INTO batches (department, type, root, count, state, created_at)
         VALUES ($1, $2, $3, $4, 'SEALED', $5) RETURNING *`,
  // The status lists' entry allocation (allocateStatusListEntry), in one transaction of each dialect.
  documentPlace: "SELECT seq, department FROM documents WHERE id = $1",
  statusListEntryOf: "SELECT department, list, idx FROM status_list_entries WHERE document_seq = $1",
  createStatusListDepartment: "INSERT INTO status_list_departments (department, secret, next_ordinal) VALUES ($1, $2, 0) ON CONFLICT (department) DO NOTHING",
  /** The department's row stays locked until COMMIT (PostgreSQL): allocations of one department are serialised. */
  nextStatusListOrdinal:
    "UPDATE status_list_departments SET next_ordinal = next_ordinal + 1 WHERE department = $1 RETURNING next_ordinal - 1 AS ordinal, secret",
  insertStatusListEntry: `INSERT INTO status_list_entries (document_seq, department, ordinal, list, idx) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (document_seq) DO NOTHING RETURNING department, list, idx`,
  // The places given in bulk after issuance (placeDocumentsWithoutEntry).
  /** The documents after seq $1 that have no place yet, in seq order. */
  documentsWithoutEntry: `SELECT d.seq, d.department FROM documents d
        WHERE d.seq > $1 AND NOT EXISTS (SELECT 1 FROM status_list_entries e WHERE e.document_seq = d.seq)
        ORDER BY d.seq LIMIT $2`,
  /** Locks the department's counter row until COMMIT (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises) and reads it. */
  lockStatusListDepartment: "UPDATE status_list_departments SET next_ordinal = next_ordinal WHERE department = $1 RETURNING next_ordinal, secret",
  advanceStatusListOrdinal: "UPDATE status_list_departments SET next_ordinal = next_ordinal + $2 WHERE department = $1",
} as const;

/**
 * What sealing writes for the documents of `rows` (seq and leaf, in seq order): the batch's root, its
 * tree cut into chunks (domain/merkle-chunks.ts), and each document's slot in it, by seq.
 */
export function sealedTree(rows: Row[], buildTree: BatchTreeBuilder): { root: Hex; chunks: MerkleChunk[]; seqs: number[]; slots: number[] } {
  const tree = buildTree(rows.map((row) => row.leaf as Hex));
  return {
    root: tree.root,
    chunks: merkleChunks(tree),
    seqs: rows.map((row) => Number(row.seq)),
    slots: tree.leafIndex.map((index) => merkleLeafSlot(index, tree.count)),
  };
}

/**
 * getDocument's one query: the document, its file and its batch, and its proof read from the batch's
 * tree by the steps of domain/merkle-chunks.ts: each band's chunk joined by its key, each step's node
 * cut out of it as hex, NULL for a step the proof does not take, and the nodes concatenated in proof
 * order (concat skips NULLs) into `proof`. (SQLite has no XOR: x XOR 1 is written x + 1 − 2(x & 1).)
 * A document sealed before trees were kept has no slot, and its merkle_proof instead. The columns are
 * named, not `d.*`: a planned statement whose result columns change (a newer instance's migration
 * adding one) would fail until its connection closes.
 */
function documentQuery(sql: SqlClient): string {
  const chunks = Array.from(
    { length: MERKLE_PROOF_CHUNKS },
    (_, band) =>
      `LEFT JOIN batch_tree_chunks c${band} ON c${band}.batch_id = d.batch_id
              AND c${band}.chunk = (d.batch_slot >> ${MERKLE_CHUNK_LEVELS * (band + 1)}) AND (d.batch_slot >> ${MERKLE_CHUNK_LEVELS * band + 1}) > 0`,
  );
  const steps = MERKLE_PROOF_STEPS.map((step) => {
    const node = `(d.batch_slot >> ${step.nodeShift})`;
    // The place's first byte, from 1: (((node & mask) XOR 1) + base) · 32 + 1, with XOR 1 as + 1 − 2(node & 1).
    const start = `((${node} & ${step.levelMask}) - 2 * (${node} & 1)) * ${MERKLE_NODE_BYTES} + ${(step.levelBase + 1) * MERKLE_NODE_BYTES + 1}`;
    const taken = `${node} > 1${step.deepest ? " AND d.batch_slot < 2 * b.count" : ""}`;
    return `CASE WHEN ${taken} THEN ${sql.hexOf(`substr(c${step.band}.nodes, ${start}, ${MERKLE_NODE_BYTES})`)} END`;
  });
  return `SELECT d.id, d.department, d.type, d.issued_at, d.leaf, d.merkle_proof, d.batch_slot, d.status, d.status_reason, d.status_reason_code,
              d.status_changed_at, d.successor, f.json, b.id AS b_id, b.root, b.count, b.state, b.tx_hash, b.block_number, b.block_time,
              b.department AS b_department, b.type AS b_type,
              concat(${steps.join(",\n                     ")}) AS proof
         FROM documents d JOIN document_files f ON f.seq = d.seq LEFT JOIN batches b ON b.id = d.batch_id
              ${chunks.join("\n              ")}
        WHERE d.id = $1`;
}

/** The candidates of one bulk placement, grouped by department (each department is placed in its own transaction). */
export function byDepartment(rows: Row[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const department = String(row.department);
    let seqs = groups.get(department);
    if (!seqs) {
      seqs = [];
      groups.set(department, seqs);
    }
    seqs.push(Number(row.seq));
  }
  return groups;
}

/** A status list entry row (department, list, idx) as the port's StatusListEntry. */
export const toStatusListEntry = (row: Row): StatusListEntry => ({ department: String(row.department), list: Number(row.list), index: Number(row.idx) });

/** The parameters of insertStatusChange and setCurrentStatus for one change. */
export const statusChangeParams = (c: StatusChangeRecord): { history: SqlValue[]; current: SqlValue[] } => ({
  history: [c.documentId, c.status, c.reason, c.reasonCode, c.successor, c.actor, c.txHash, c.changedAt],
  current: [c.status, c.reason, c.reasonCode, c.changedAt, c.successor, c.documentId],
});

export const custodyKeyParams = (key: NewCustodyKey): SqlValue[] => [
  key.kind,
  key.department,
  key.number,
  key.publicPart,
  key.sealed,
  key.state,
  key.createdAt,
];
export const custodyIdentityParams = (identity: CustodyKeyIdentity): SqlValue[] => [identity.kind, identity.department, identity.number];

/** The audit log's filter as one query: entries after `after`, oldest first, at most 1000 a page. */
function auditQuery(filter: AuditFilter): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [filter.after ?? 0];
  const where: string[] = ["seq > $1"];
  for (const [column, value] of [
    ["department", filter.department],
    ["actor", filter.actor],
    ["action", filter.action],
    ["document_id", filter.documentId],
  ] as const) {
    if (value !== undefined) {
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
  }
  params.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  return { sql: `SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq LIMIT $${params.length}`, params };
}

export abstract class SqlStore implements DocumentStore, StatusHistory, ApiKeyRecords, SigningKeyMirror, CustodyRecords, DepartmentPolicies, StatusListRecords {
  readonly #sql: SqlClient;
  readonly #documentQuery: string;
  /** The append-only audit log, in the same database (triggers refuse UPDATE and DELETE). */
  readonly audit: AuditLog;
  /** OpenID4VCI offers, access tokens and nonces (sql-credential-offers.ts), in the same database. */
  readonly credentialOffers: CredentialOfferRecords;

  constructor(sql: SqlClient) {
    this.#sql = sql;
    // Planned once per connection on PostgreSQL: it runs for every verification of a QR code.
    this.#documentQuery = planOnce(documentQuery(sql));
    this.credentialOffers = new SqlCredentialOffers(sql);
    this.audit = {
      append: (entries) => this.appendAudit(entries),
      list: async (filter) => {
        const { sql: text, params } = auditQuery(filter);
        return (await this.#sql.all(text, params)).map(toAuditEntry);
      },
    };
  }

  // ---- What each dialect writes its own way ----

  abstract insertDocuments(documents: NewDocument[]): Promise<void>;
  abstract findByIdempotencyKey(department: string, keys: string[]): Promise<Map<string, string>>;
  abstract sealBatch(department: string, type: string, maxSize: number, buildTree: BatchTreeBuilder): Promise<StoredBatch | null>;
  abstract recordStatusChanges(changes: StatusChangeRecord[]): Promise<void>;
  abstract insertCustodyKey(key: NewCustodyKey): Promise<"inserted" | "taken">;
  abstract setCustodyKeyState(identity: CustodyKeyIdentity, state: CustodyKeyState): Promise<boolean>;
  protected abstract appendAudit(entries: AuditEntry[]): Promise<void>;
  abstract allocateStatusListEntry(
    documentId: string,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<StatusListEntry | null>;
  abstract placeDocumentsWithoutEntry(
    afterSeq: number,
    limit: number,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<{ placed: number; looked: number; lastSeq: number | null }>;
  abstract close(): Promise<void>;

  // ---- Documents and the anchoring outbox ----

  async getDocument(id: string): Promise<StoredDocument | null> {
    const [row] = await this.#sql.all(this.#documentQuery, [id]);
    return row ? toStoredDocument(row) : null;
  }

  async unbatchedGroups(): Promise<Array<{ department: string; type: string; count: number; oldestIssuedAt: string }>> {
    const rows = await this.#sql.all(
      `SELECT department, type, COUNT(*) AS count, MIN(issued_at) AS oldest
         FROM documents WHERE batch_id IS NULL GROUP BY department, type ORDER BY oldest`,
    );
    return rows.map((row) => ({ department: String(row.department), type: String(row.type), count: Number(row.count), oldestIssuedAt: String(row.oldest) }));
  }

  async unfinishedBatches(): Promise<StoredBatch[]> {
    return (await this.#sql.all("SELECT * FROM batches WHERE state <> 'ANCHORED' ORDER BY id")).map(toBatch);
  }

  async recentAnchoredBatches(limit: number): Promise<StoredBatch[]> {
    return (await this.#sql.all("SELECT * FROM batches WHERE state = 'ANCHORED' ORDER BY id DESC LIMIT $1", [limit])).map(toBatch);
  }

  async markBatchSent(batchId: number): Promise<void> {
    await this.#sql.run("UPDATE batches SET state = 'SENT', sent_at = $1 WHERE id = $2 AND state = 'SEALED'", [new Date().toISOString(), batchId]);
  }

  async markBatchAnchored(batchId: number, receipt: TxReceipt): Promise<void> {
    await this.#sql.run("UPDATE batches SET state = 'ANCHORED', tx_hash = $1, block_number = $2, block_time = $3 WHERE id = $4", [
      receipt.txHash,
      receipt.blockNumber,
      receipt.blockTime,
      batchId,
    ]);
  }

  async markBatchLost(batchId: number): Promise<void> {
    await this.#sql.run("UPDATE batches SET state = 'SEALED', tx_hash = NULL, block_number = NULL, block_time = NULL WHERE id = $1", [batchId]);
  }

  async countUnanchored(): Promise<number> {
    const [row] = await this.#sql.all(
      `SELECT (SELECT COUNT(*) FROM documents WHERE batch_id IS NULL)
            + (SELECT COALESCE(SUM(count), 0) FROM batches WHERE state <> 'ANCHORED') AS n`,
    );
    return Number(row?.n ?? 0);
  }

  // ---- Status history ----

  async statusHistory(documentId: string): Promise<StatusChangeRecord[]> {
    return (await this.#sql.all("SELECT * FROM status_changes WHERE document_id = $1 ORDER BY id", [documentId])).map(toStatusChange);
  }

  // ---- API keys ----

  async insertApiKey(key: ApiKeyRecord, keyHash: string): Promise<void> {
    // revoked as 1/0: SQLite's INTEGER column, and PostgreSQL's BOOLEAN reads '1'/'0' as true/false.
    await this.#sql.run("INSERT INTO api_keys (id, key_hash, department, label, types, revoked, created_at, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
      key.id,
      keyHash,
      key.department,
      key.label,
      JSON.stringify(key.types),
      key.revoked ? 1 : 0,
      new Date().toISOString(),
      key.role ?? "officer",
    ]);
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.#sql.all("SELECT * FROM api_keys WHERE key_hash = $1", [keyHash]);
    return row ? toApiKey(row) : null;
  }

  async listApiKeys(): Promise<Array<ApiKeyRecord & { createdAt: string }>> {
    return (await this.#sql.all("SELECT * FROM api_keys ORDER BY created_at, id")).map((row) => ({ ...toApiKey(row), createdAt: String(row.created_at) }));
  }

  async revokeApiKey(id: string): Promise<boolean> {
    return (await this.#sql.run("UPDATE api_keys SET revoked = TRUE WHERE id = $1", [id])) > 0;
  }

  // ---- The signing-key mirror ----

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.#sql.run(
      `INSERT INTO signing_keys (kid, department, key_number, thumbprint, public_jwk, valid_from, valid_until, compromised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [key.kid, key.department, key.keyNumber, key.thumbprint, JSON.stringify(key.publicJwk), key.validFrom, key.validUntil, key.compromisedAt],
    );
  }

  async signingKeys(): Promise<SigningKeyRecord[]> {
    return (await this.#sql.all("SELECT * FROM signing_keys ORDER BY department, key_number")).map(toSigningKey);
  }

  async updateSigningKeyWindow(kid: string, window: { validUntil?: string; compromisedAt?: string }): Promise<void> {
    if (window.validUntil !== undefined) await this.#sql.run("UPDATE signing_keys SET valid_until = $1 WHERE kid = $2", [window.validUntil, kid]);
    if (window.compromisedAt !== undefined) await this.#sql.run("UPDATE signing_keys SET compromised_at = $1 WHERE kid = $2", [window.compromisedAt, kid]);
  }

  // ---- Key custody (the writes, which move the custody version in their transaction, are the dialects') ----

  async custodyKeys(sinceVersion = 0): Promise<StoredCustodyKey[]> {
    return (await this.#sql.all("SELECT * FROM custody_keys WHERE version > $1 ORDER BY version, kind, department, key_number", [sinceVersion])).map(
      toCustodyKey,
    );
  }

  async custodyVersion(): Promise<number> {
    const [row] = await this.#sql.all("SELECT version FROM custody_changes WHERE id = 1");
    return Number(row?.version ?? 0);
  }

  // ---- Department publication policies ----

  async publishableReasonCodes(department: string): Promise<number[]> {
    const [row] = await this.#sql.all("SELECT publishable_reason_codes FROM department_policies WHERE department = $1", [department]);
    return row ? reasonCodesOf(String(row.publishable_reason_codes)) : [];
  }

  async setPublishableReasonCodes(department: string, codes: number[]): Promise<void> {
    await this.#sql.run(
      `INSERT INTO department_policies (department, publishable_reason_codes, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (department) DO UPDATE SET publishable_reason_codes = excluded.publishable_reason_codes, updated_at = excluded.updated_at`,
      [department, JSON.stringify(codes), new Date().toISOString()],
    );
  }

  // ---- Status lists (issue 15) ----

  async statusListEntry(documentId: string): Promise<StatusListEntry | null> {
    const [row] = await this.#sql.all(
      "SELECT e.department, e.list, e.idx FROM documents d JOIN status_list_entries e ON e.document_seq = d.seq WHERE d.id = $1",
      [documentId],
    );
    return row ? toStatusListEntry(row) : null;
  }

  async statusListOrdinals(department: string): Promise<number> {
    const [row] = await this.#sql.all("SELECT next_ordinal FROM status_list_departments WHERE department = $1", [department]);
    return Number(row?.next_ordinal ?? 0);
  }

  async statusListDepartments(): Promise<Array<{ department: string; ordinals: number }>> {
    const rows = await this.#sql.all("SELECT department, next_ordinal FROM status_list_departments ORDER BY department");
    return rows.map((row) => ({ department: String(row.department), ordinals: Number(row.next_ordinal) }));
  }

  /**
   * The department's ordinal count; the newest status changes: their highest id and how many there are
   * among the last 10,000 ids, which also moves when a change with a lower id commits after a higher one
   * (PostgreSQL hands ids out before commit); and the custody version, so that a list is signed again
   * once the department's key changed. Global, not per department: a status change anywhere makes every
   * list look again, which costs one small query per list.
   */
  async statusListVersion(department: string): Promise<{ ordinals: number; version: string }> {
    const [row] = await this.#sql.all(
      `SELECT (SELECT next_ordinal FROM status_list_departments WHERE department = $1) AS ordinals,
              (SELECT COALESCE(MAX(id), 0) FROM status_changes) AS newest,
              (SELECT COUNT(*) FROM status_changes WHERE id > (SELECT COALESCE(MAX(id), 0) - 10000 FROM status_changes)) AS recent,
              (SELECT version FROM custody_changes WHERE id = 1) AS keys`,
      [department],
    );
    const ordinals = Number(row?.ordinals ?? 0);
    return { ordinals, version: `${ordinals}.${Number(row?.newest ?? 0)}.${Number(row?.recent ?? 0)}.${Number(row?.keys ?? 0)}` };
  }

  async statusListMarks(department: string, list: number): Promise<Array<{ index: number; status: OnChainStatus }>> {
    const rows = await this.#sql.all(
      `SELECT e.idx, d.status FROM documents d JOIN status_list_entries e ON e.document_seq = d.seq
        WHERE d.department = $1 AND d.status <> 'ACTIVE' AND e.list = $2`,
      [department, list],
    );
    return rows.map((row) => ({ index: Number(row.idx), status: row.status as OnChainStatus }));
  }

  async publishedStatusList(department: string, list: number, format: string): Promise<PublishedStatusList | null> {
    const [row] = await this.#sql.all("SELECT * FROM status_list_publications WHERE department = $1 AND list = $2 AND format = $3", [department, list, format]);
    if (!row) return null;
    return {
      department: String(row.department),
      list: Number(row.list),
      format: String(row.format),
      jws: String(row.jws),
      version: String(row.version),
      issuedAt: Number(row.issued_at),
      expiresAt: Number(row.expires_at),
    };
  }

  /** Last writer wins: two officer instances that rebuilt the same list at once both signed the same statuses. */
  async savePublishedStatusList(p: PublishedStatusList): Promise<void> {
    await this.#sql.run(
      `INSERT INTO status_list_publications (department, list, format, jws, version, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (department, list, format) DO UPDATE SET jws = excluded.jws, version = excluded.version, issued_at = excluded.issued_at,
         expires_at = excluded.expires_at`,
      [p.department, p.list, p.format, p.jws, p.version, p.issuedAt, p.expiresAt],
    );
  }
}
