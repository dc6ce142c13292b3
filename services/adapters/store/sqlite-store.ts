/**
 * The embedded Store: SQLite through Node's built-in `node:sqlite`, one file in the data folder.
 * WAL journal and synchronous=FULL: a write that returned survives a killed process (and a power cut).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { OnChainStatus } from "../../domain/verification-record.ts";
import { EProofError } from "../../errors.ts";
import type {
  AdminRecords,
  ApiKeyRecord,
  AuditEntry,
  AuditFilter,
  AuditLog,
  CustodyKeyIdentity,
  CustodyKeyState,
  CustodyRecords,
  DepartmentPolicies,
  Hex,
  NewCustodyKey,
  NewDocument,
  SigningKeyRecord,
  StatusChangeRecord,
  Store,
  StoredAuditEntry,
  StoredBatch,
  StoredCustodyKey,
  StoredDocument,
  TxReceipt,
} from "../../ports.ts";
import { apiKeyRole } from "./api-key-role.ts";
import { toCustodyKey } from "./custody-rows.ts";
import { migrateSqlite } from "./migrations.ts";
import { reasonCodesOf } from "./policy-rows.ts";
import { inSqliteTransaction, openSqlite } from "./sqlite-database.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";

type Row = Record<string, unknown>;

function toBatch(row: Row): StoredBatch {
  return {
    id: Number(row.id),
    department: String(row.department),
    type: String(row.type),
    root: row.root as Hex,
    count: Number(row.count),
    state: row.state as StoredBatch["state"],
    txHash: (row.tx_hash as Hex | null) ?? null,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    blockTime: row.block_time === null ? null : Number(row.block_time),
  };
}

function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    department: String(row.department),
    label: String(row.label),
    types: JSON.parse(String(row.types)) as string[],
    revoked: Number(row.revoked) === 1,
    role: apiKeyRole(row.role),
  };
}

export class SqliteStore implements Store, AdminRecords, CustodyRecords, DepartmentPolicies {
  readonly #db: DatabaseSync;
  /** The append-only audit log, in the same database file. */
  readonly audit: AuditLog;
  readonly #insertDocument: StatementSync;
  readonly #insertFile: StatementSync;
  readonly #getDocument: StatementSync;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = openSqlite(path);
    try {
      migrateSqlite(this.#db, SQLITE_MIGRATIONS);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.audit = this.#auditLog();
    this.#insertDocument = this.#db.prepare(
      `INSERT INTO documents (id, department, type, issued_at, leaf, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
    );
    this.#insertFile = this.#db.prepare("INSERT INTO document_files (seq, json) VALUES (?, ?)");
    this.#getDocument = this.#db.prepare(
      `SELECT d.*, f.json, b.id AS b_id, b.root, b.count, b.state, b.tx_hash, b.block_number, b.block_time,
              b.department AS b_department, b.type AS b_type
         FROM documents d JOIN document_files f ON f.seq = d.seq LEFT JOIN batches b ON b.id = d.batch_id WHERE d.id = ?`,
    );
  }

  #transaction<T>(work: () => T): T {
    return inSqliteTransaction(this.#db, work);
  }

  async insertDocuments(documents: NewDocument[]): Promise<void> {
    try {
      this.#transaction(() => {
        for (const d of documents) {
          const inserted = this.#insertDocument.get(d.id, d.department, d.type, d.issuedAt, d.leaf, d.idempotencyKey ?? null);
          this.#insertFile.run(Number(inserted?.seq), d.documentJson);
        }
      });
    } catch (error) {
      // Another request with the same idempotency key won the race: nothing of this one was stored.
      if (error instanceof Error && /UNIQUE constraint failed: documents\.department, documents\.idempotency_key/.test(error.message)) {
        throw new EProofError("DUPLICATE_REQUEST", "a request with the same idempotency key is being processed; retry it to get its result");
      }
      throw error;
    }
  }

  async findByIdempotencyKey(department: string, keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const statement = this.#db.prepare("SELECT id FROM documents WHERE department = ? AND idempotency_key = ?");
    for (const key of keys) {
      const row = statement.get(department, key);
      if (row) found.set(key, String(row.id));
    }
    return found;
  }

  async getDocument(id: string): Promise<StoredDocument | null> {
    const row = this.#getDocument.get(id);
    if (!row) return null;
    const batch = row.b_id === null ? null : toBatch({ ...row, id: row.b_id, department: row.b_department, type: row.b_type });
    return {
      id: String(row.id),
      department: String(row.department),
      type: String(row.type),
      issuedAt: String(row.issued_at),
      leaf: row.leaf as Hex,
      documentJson: String(row.json),
      batch,
      merkleProof: row.merkle_proof === null ? null : (JSON.parse(String(row.merkle_proof)) as Hex[]),
      status: {
        status: row.status as OnChainStatus,
        reason: (row.status_reason as string | null) ?? null,
        reasonCode: Number(row.status_reason_code),
        changedAt: (row.status_changed_at as string | null) ?? null,
        successor: (row.successor as string | null) ?? null,
      },
    };
  }

  async unbatchedGroups(): Promise<Array<{ department: string; type: string; count: number; oldestIssuedAt: string }>> {
    return this.#db
      .prepare(
        `SELECT department, type, COUNT(*) AS count, MIN(issued_at) AS oldest
           FROM documents WHERE batch_id IS NULL GROUP BY department, type ORDER BY oldest`,
      )
      .all()
      .map((row) => ({
        department: String(row.department),
        type: String(row.type),
        count: Number(row.count),
        oldestIssuedAt: String(row.oldest),
      }));
  }

  async sealBatch(
    department: string,
    type: string,
    maxSize: number,
    buildTree: (leaves: Hex[]) => { root: Hex; proofs: Hex[][] },
  ): Promise<StoredBatch | null> {
    return this.#transaction(() => {
      const rows = this.#db
        .prepare(
          `SELECT seq, leaf FROM documents WHERE batch_id IS NULL AND department = ? AND type = ?
            ORDER BY seq LIMIT ?`,
        )
        .all(department, type, maxSize);
      if (rows.length === 0) return null;
      const { root, proofs } = buildTree(rows.map((row) => row.leaf as Hex));
      const inserted = this.#db
        .prepare(
          `INSERT INTO batches (department, type, root, count, state, created_at)
           VALUES (?, ?, ?, ?, 'SEALED', ?) RETURNING *`,
        )
        .get(department, type, root, rows.length, new Date().toISOString());
      const assign = this.#db.prepare("UPDATE documents SET batch_id = ?, merkle_proof = ? WHERE seq = ?");
      const batchId = Number(inserted?.id);
      rows.forEach((row, index) => {
        assign.run(batchId, JSON.stringify(proofs[index]), Number(row.seq));
      });
      return toBatch(inserted as Row);
    });
  }

  async unfinishedBatches(): Promise<StoredBatch[]> {
    return this.#db.prepare("SELECT * FROM batches WHERE state <> 'ANCHORED' ORDER BY id").all().map(toBatch);
  }

  async recentAnchoredBatches(limit: number): Promise<StoredBatch[]> {
    return this.#db.prepare("SELECT * FROM batches WHERE state = 'ANCHORED' ORDER BY id DESC LIMIT ?").all(limit).map(toBatch);
  }

  async markBatchSent(batchId: number): Promise<void> {
    this.#db.prepare("UPDATE batches SET state = 'SENT', sent_at = ? WHERE id = ? AND state = 'SEALED'").run(new Date().toISOString(), batchId);
  }

  async markBatchAnchored(batchId: number, receipt: TxReceipt): Promise<void> {
    this.#db
      .prepare("UPDATE batches SET state = 'ANCHORED', tx_hash = ?, block_number = ?, block_time = ? WHERE id = ?")
      .run(receipt.txHash, receipt.blockNumber, receipt.blockTime, batchId);
  }

  async markBatchLost(batchId: number): Promise<void> {
    this.#db.prepare("UPDATE batches SET state = 'SEALED', tx_hash = NULL, block_number = NULL, block_time = NULL WHERE id = ?").run(batchId);
  }

  async countUnanchored(): Promise<number> {
    const row = this.#db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM documents WHERE batch_id IS NULL)
              + (SELECT COALESCE(SUM(count), 0) FROM batches WHERE state <> 'ANCHORED') AS n`,
      )
      .get();
    return Number(row?.n ?? 0);
  }

  async recordStatusChanges(changes: StatusChangeRecord[]): Promise<void> {
    const history = this.#db.prepare(
      `INSERT INTO status_changes (document_id, status, reason, reason_code, successor, actor, tx_hash, changed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const current = this.#db.prepare(
      `UPDATE documents SET status = ?, status_reason = ?, status_reason_code = ?, status_changed_at = ?,
              successor = COALESCE(?, successor) WHERE id = ?`,
    );
    this.#transaction(() => {
      for (const c of changes) {
        history.run(c.documentId, c.status, c.reason, c.reasonCode, c.successor, c.actor, c.txHash, c.changedAt);
        current.run(c.status, c.reason, c.reasonCode, c.changedAt, c.successor, c.documentId);
      }
    });
  }

  async statusHistory(documentId: string): Promise<StatusChangeRecord[]> {
    return this.#db
      .prepare("SELECT * FROM status_changes WHERE document_id = ? ORDER BY id")
      .all(documentId)
      .map((row) => ({
        documentId: String(row.document_id),
        status: row.status as OnChainStatus,
        reason: String(row.reason),
        reasonCode: Number(row.reason_code),
        successor: (row.successor as string | null) ?? null,
        actor: String(row.actor),
        txHash: row.tx_hash as Hex,
        changedAt: String(row.changed_at),
      }));
  }

  async insertApiKey(key: ApiKeyRecord, keyHash: string): Promise<void> {
    this.#db
      .prepare("INSERT INTO api_keys (id, key_hash, department, label, types, revoked, created_at, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(key.id, keyHash, key.department, key.label, JSON.stringify(key.types), key.revoked ? 1 : 0, new Date().toISOString(), key.role ?? "officer");
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = this.#db.prepare("SELECT * FROM api_keys WHERE key_hash = ?").get(keyHash);
    return row ? toApiKey(row) : null;
  }

  async listApiKeys(): Promise<Array<ApiKeyRecord & { createdAt: string }>> {
    return this.#db
      .prepare("SELECT * FROM api_keys ORDER BY created_at, id")
      .all()
      .map((row) => ({ ...toApiKey(row), createdAt: String(row.created_at) }));
  }

  async revokeApiKey(id: string): Promise<boolean> {
    return Number(this.#db.prepare("UPDATE api_keys SET revoked = 1 WHERE id = ?").run(id).changes) > 0;
  }

  async updateSigningKeyWindow(kid: string, window: { validUntil?: string; compromisedAt?: string }): Promise<void> {
    if (window.validUntil !== undefined) this.#db.prepare("UPDATE signing_keys SET valid_until = ? WHERE kid = ?").run(window.validUntil, kid);
    if (window.compromisedAt !== undefined) this.#db.prepare("UPDATE signing_keys SET compromised_at = ? WHERE kid = ?").run(window.compromisedAt, kid);
  }

  #auditLog(): AuditLog {
    const db = this.#db;
    const insert = db.prepare("INSERT INTO audit_log (at, actor, role, action, department, document_id, details) VALUES (?, ?, ?, ?, ?, ?, ?)");
    return {
      append: async (entries: AuditEntry[]) => {
        const at = new Date().toISOString();
        this.#transaction(() => {
          for (const e of entries) insert.run(at, e.actor, e.role, e.action, e.department, e.documentId, JSON.stringify(e.details));
        });
      },
      list: async (filter: AuditFilter): Promise<StoredAuditEntry[]> => {
        const where: string[] = ["seq > ?"];
        const args: Array<string | number> = [filter.after ?? 0];
        for (const [column, value] of [
          ["department", filter.department],
          ["actor", filter.actor],
          ["action", filter.action],
          ["document_id", filter.documentId],
        ] as const) {
          if (value !== undefined) {
            where.push(`${column} = ?`);
            args.push(value);
          }
        }
        args.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
        return db
          .prepare(`SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`)
          .all(...args)
          .map((row) => ({
            seq: Number(row.seq),
            at: String(row.at),
            actor: String(row.actor),
            role: apiKeyRole(row.role),
            action: String(row.action),
            department: (row.department as string | null) ?? null,
            documentId: (row.document_id as string | null) ?? null,
            details: JSON.parse(String(row.details)) as AuditEntry["details"],
          }));
      },
    };
  }

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO signing_keys (kid, department, key_number, thumbprint, public_jwk, valid_from, valid_until, compromised_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(key.kid, key.department, key.keyNumber, key.thumbprint, JSON.stringify(key.publicJwk), key.validFrom, key.validUntil, key.compromisedAt);
  }

  async signingKeys(): Promise<SigningKeyRecord[]> {
    return this.#db
      .prepare("SELECT * FROM signing_keys ORDER BY department, key_number")
      .all()
      .map((row) => ({
        department: String(row.department),
        kid: String(row.kid),
        keyNumber: Number(row.key_number),
        thumbprint: row.thumbprint as Hex,
        publicJwk: JSON.parse(String(row.public_jwk)) as Record<string, string>,
        validFrom: String(row.valid_from),
        validUntil: (row.valid_until as string | null) ?? null,
        compromisedAt: (row.compromised_at as string | null) ?? null,
      }));
  }

  async insertCustodyKey(key: NewCustodyKey): Promise<"inserted" | "taken"> {
    return this.#transaction(() => {
      const inserted = this.#db
        .prepare(
          `INSERT INTO custody_keys (kind, department, key_number, public_part, sealed, state, created_at, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (kind, department, key_number) DO NOTHING RETURNING key_number`,
        )
        .get(key.kind, key.department, key.number, key.publicPart, key.sealed, key.state, key.createdAt);
      if (!inserted) return "taken";
      this.#stampCustodyChange(key);
      return "inserted";
    });
  }

  async custodyKeys(sinceVersion = 0): Promise<StoredCustodyKey[]> {
    return this.#db.prepare("SELECT * FROM custody_keys WHERE version > ? ORDER BY version, kind, department, key_number").all(sinceVersion).map(toCustodyKey);
  }

  async setCustodyKeyState(identity: CustodyKeyIdentity, state: CustodyKeyState): Promise<boolean> {
    return this.#transaction(() => {
      const changed = this.#db
        .prepare(
          `UPDATE custody_keys SET state = ? WHERE kind = ? AND department = ? AND key_number = ?
              AND state <> ? AND state <> 'COMPROMISED' RETURNING key_number`,
        )
        .get(state, identity.kind, identity.department, identity.number, state);
      if (!changed) return false;
      this.#stampCustodyChange(identity);
      return true;
    });
  }

  async custodyVersion(): Promise<number> {
    return Number(this.#db.prepare("SELECT version FROM custody_changes WHERE id = 1").get()?.version ?? 0);
  }

  async publishableReasonCodes(department: string): Promise<number[]> {
    const row = this.#db.prepare("SELECT publishable_reason_codes FROM department_policies WHERE department = ?").get(department);
    return row ? reasonCodesOf(String(row.publishable_reason_codes)) : [];
  }

  async setPublishableReasonCodes(department: string, codes: number[]): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO department_policies (department, publishable_reason_codes, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (department) DO UPDATE SET publishable_reason_codes = excluded.publishable_reason_codes, updated_at = excluded.updated_at`,
      )
      .run(department, JSON.stringify(codes), new Date().toISOString());
  }

  /** Moves the custody version and stamps the written row with it (inside the caller's transaction). */
  #stampCustodyChange(identity: CustodyKeyIdentity): void {
    const version = this.#db.prepare("UPDATE custody_changes SET version = version + 1 WHERE id = 1 RETURNING version").get()?.version;
    this.#db
      .prepare("UPDATE custody_keys SET version = ? WHERE kind = ? AND department = ? AND key_number = ?")
      .run(Number(version), identity.kind, identity.department, identity.number);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
