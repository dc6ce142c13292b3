/**
 * The production Store: PostgreSQL, shared by every instance of the service.
 *
 * Several instances may run against one database at once: migrations run under an advisory lock
 * (migrations.ts), sealing takes unbatched documents with FOR UPDATE SKIP LOCKED (a document lands in
 * one batch only), and the locks between instances are pg-locks.ts's, on the same pool.
 */
import type pg from "pg";
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
import { openPgPool, type PgPoolOptions } from "./pg-database.ts";
import { inTransaction } from "./pg-transaction.ts";
import { reasonCodesOf } from "./policy-rows.ts";

type Row = Record<string, unknown>;
type Queryable = Pick<pg.PoolClient, "query">;

const UNIQUE_VIOLATION = "23505";

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
    revoked: row.revoked === true,
    role: apiKeyRole(row.role),
  };
}

/**
 * Moves the custody version and stamps the written row with it, inside the writer's transaction.
 * The counter row stays locked until COMMIT, so versions become visible in the order they were
 * taken: a reader that has seen version v has seen every row stamped v or lower.
 */
async function stampCustodyChange(client: Queryable, identity: CustodyKeyIdentity): Promise<void> {
  const { rows } = await client.query("UPDATE custody_changes SET version = version + 1 WHERE id = 1 RETURNING version");
  await client.query("UPDATE custody_keys SET version = $1 WHERE kind = $2 AND department = $3 AND key_number = $4", [
    rows[0]?.version,
    identity.kind,
    identity.department,
    identity.number,
  ]);
}

export class PgStore implements Store, AdminRecords, CustodyRecords, DepartmentPolicies {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  #closed = false;

  /** The pool, lent to the rate-limit counters (services/adapters/store/rate-limit-counters.ts) so they open none. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  /** On the instance's pool (pg-database.ts), already migrated; `ownsPool`: close() ends it. */
  constructor(pool: pg.Pool, options: { ownsPool?: boolean } = {}) {
    this.#pool = pool;
    this.#ownsPool = options.ownsPool ?? false;
  }

  /** A store on a pool of its own (tools and tests): connects, migrates, and ends the pool on close(). */
  static async open(options: PgPoolOptions): Promise<PgStore> {
    return new PgStore(await openPgPool(options), { ownsPool: true });
  }

  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, work);
  }

  async insertDocuments(documents: NewDocument[]): Promise<void> {
    if (documents.length === 0) return;
    try {
      await this.#transaction(async (client) => {
        const { rows } = await client.query(
          `INSERT INTO documents (id, department, type, issued_at, leaf, idempotency_key)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           RETURNING seq, id`,
          [
            documents.map((d) => d.id),
            documents.map((d) => d.department),
            documents.map((d) => d.type),
            documents.map((d) => d.issuedAt),
            documents.map((d) => d.leaf),
            documents.map((d) => d.idempotencyKey ?? null),
          ],
        );
        const seqOf = new Map(rows.map((row) => [String(row.id), String(row.seq)]));
        await client.query("INSERT INTO document_files (seq, json) SELECT * FROM unnest($1::bigint[], $2::text[])", [
          documents.map((d) => seqOf.get(d.id)),
          documents.map((d) => d.documentJson),
        ]);
      });
    } catch (error) {
      // Another request with the same idempotency key won the race: nothing of this one was stored.
      if (
        (error as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION &&
        (error as { constraint?: string }).constraint === "documents_idempotency"
      ) {
        throw new EProofError("DUPLICATE_REQUEST", "a request with the same idempotency key is being processed; retry it to get its result");
      }
      throw error;
    }
  }

  async findByIdempotencyKey(department: string, keys: string[]): Promise<Map<string, string>> {
    const { rows } = await this.#pool.query("SELECT idempotency_key, id FROM documents WHERE department = $1 AND idempotency_key = ANY($2::text[])", [
      department,
      keys,
    ]);
    return new Map(rows.map((row) => [String(row.idempotency_key), String(row.id)]));
  }

  async getDocument(id: string): Promise<StoredDocument | null> {
    const { rows } = await this.#pool.query(
      `SELECT d.*, f.json, b.id AS b_id, b.root, b.count, b.state, b.tx_hash, b.block_number, b.block_time,
              b.department AS b_department, b.type AS b_type
         FROM documents d JOIN document_files f ON f.seq = d.seq LEFT JOIN batches b ON b.id = d.batch_id WHERE d.id = $1`,
      [id],
    );
    const row = rows[0] as Row | undefined;
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
    const { rows } = await this.#pool.query(
      `SELECT department, type, COUNT(*) AS count, MIN(issued_at) AS oldest
         FROM documents WHERE batch_id IS NULL GROUP BY department, type ORDER BY oldest`,
    );
    return rows.map((row) => ({
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
    return this.#transaction(async (client) => {
      // SKIP LOCKED: an instance sealing at the same moment takes other documents, never the same ones.
      const { rows } = await client.query(
        `SELECT seq, leaf FROM documents WHERE batch_id IS NULL AND department = $1 AND type = $2
          ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [department, type, maxSize],
      );
      if (rows.length === 0) return null;
      const { root, proofs } = buildTree(rows.map((row) => row.leaf as Hex));
      const inserted = await client.query(
        `INSERT INTO batches (department, type, root, count, state, created_at)
         VALUES ($1, $2, $3, $4, 'SEALED', $5) RETURNING *`,
        [department, type, root, rows.length, new Date().toISOString()],
      );
      const batch = inserted.rows[0] as Row;
      await client.query(
        `UPDATE documents d SET batch_id = $1, merkle_proof = p.proof
           FROM unnest($2::bigint[], $3::text[]) AS p(seq, proof) WHERE d.seq = p.seq`,
        [batch.id, rows.map((row) => String(row.seq)), proofs.map((proof) => JSON.stringify(proof))],
      );
      return toBatch(batch);
    });
  }

  async unfinishedBatches(): Promise<StoredBatch[]> {
    return (await this.#pool.query("SELECT * FROM batches WHERE state <> 'ANCHORED' ORDER BY id")).rows.map(toBatch);
  }

  async recentAnchoredBatches(limit: number): Promise<StoredBatch[]> {
    return (await this.#pool.query("SELECT * FROM batches WHERE state = 'ANCHORED' ORDER BY id DESC LIMIT $1", [limit])).rows.map(toBatch);
  }

  async markBatchSent(batchId: number): Promise<void> {
    await this.#pool.query("UPDATE batches SET state = 'SENT', sent_at = $1 WHERE id = $2 AND state = 'SEALED'", [new Date().toISOString(), batchId]);
  }

  async markBatchAnchored(batchId: number, receipt: TxReceipt): Promise<void> {
    await this.#pool.query("UPDATE batches SET state = 'ANCHORED', tx_hash = $1, block_number = $2, block_time = $3 WHERE id = $4", [
      receipt.txHash,
      receipt.blockNumber,
      receipt.blockTime,
      batchId,
    ]);
  }

  async markBatchLost(batchId: number): Promise<void> {
    await this.#pool.query("UPDATE batches SET state = 'SEALED', tx_hash = NULL, block_number = NULL, block_time = NULL WHERE id = $1", [batchId]);
  }

  async countUnanchored(): Promise<number> {
    const { rows } = await this.#pool.query(
      `SELECT (SELECT COUNT(*) FROM documents WHERE batch_id IS NULL)
            + (SELECT COALESCE(SUM(count), 0) FROM batches WHERE state <> 'ANCHORED') AS n`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async recordStatusChanges(changes: StatusChangeRecord[]): Promise<void> {
    await this.#transaction(async (client: Queryable) => {
      for (const c of changes) {
        await client.query(
          `INSERT INTO status_changes (document_id, status, reason, reason_code, successor, actor, tx_hash, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [c.documentId, c.status, c.reason, c.reasonCode, c.successor, c.actor, c.txHash, c.changedAt],
        );
        await client.query(
          `UPDATE documents SET status = $1, status_reason = $2, status_reason_code = $3, status_changed_at = $4,
                  successor = COALESCE($5, successor) WHERE id = $6`,
          [c.status, c.reason, c.reasonCode, c.changedAt, c.successor, c.documentId],
        );
      }
    });
  }

  async statusHistory(documentId: string): Promise<StatusChangeRecord[]> {
    const { rows } = await this.#pool.query("SELECT * FROM status_changes WHERE document_id = $1 ORDER BY id", [documentId]);
    return rows.map((row) => ({
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
    await this.#pool.query("INSERT INTO api_keys (id, key_hash, department, label, types, revoked, created_at, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
      key.id,
      keyHash,
      key.department,
      key.label,
      JSON.stringify(key.types),
      key.revoked,
      new Date().toISOString(),
      key.role ?? "officer",
    ]);
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = (await this.#pool.query("SELECT * FROM api_keys WHERE key_hash = $1", [keyHash])).rows[0] as Row | undefined;
    return row ? toApiKey(row) : null;
  }

  async listApiKeys(): Promise<Array<ApiKeyRecord & { createdAt: string }>> {
    const { rows } = await this.#pool.query("SELECT * FROM api_keys ORDER BY created_at, id");
    return rows.map((row: Row) => ({ ...toApiKey(row), createdAt: String(row.created_at) }));
  }

  async revokeApiKey(id: string): Promise<boolean> {
    return ((await this.#pool.query("UPDATE api_keys SET revoked = TRUE WHERE id = $1", [id])).rowCount ?? 0) > 0;
  }

  async updateSigningKeyWindow(kid: string, window: { validUntil?: string; compromisedAt?: string }): Promise<void> {
    if (window.validUntil !== undefined) await this.#pool.query("UPDATE signing_keys SET valid_until = $1 WHERE kid = $2", [window.validUntil, kid]);
    if (window.compromisedAt !== undefined) await this.#pool.query("UPDATE signing_keys SET compromised_at = $1 WHERE kid = $2", [window.compromisedAt, kid]);
  }

  /** The append-only audit log, in the same database (a trigger refuses UPDATE, DELETE and TRUNCATE). */
  readonly audit: AuditLog = {
    append: async (entries: AuditEntry[]) => {
      if (entries.length === 0) return;
      const at = new Date().toISOString();
      await this.#pool.query(
        `INSERT INTO audit_log (at, actor, role, action, department, document_id, details)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          at,
          entries.map((e) => e.actor),
          entries.map((e) => e.role),
          entries.map((e) => e.action),
          entries.map((e) => e.department),
          entries.map((e) => e.documentId),
          entries.map((e) => JSON.stringify(e.details)),
        ],
      );
    },
    list: async (filter: AuditFilter): Promise<StoredAuditEntry[]> => {
      const args: Array<string | number> = [filter.after ?? 0];
      const where: string[] = ["seq > $1"];
      for (const [column, value] of [
        ["department", filter.department],
        ["actor", filter.actor],
        ["action", filter.action],
        ["document_id", filter.documentId],
      ] as const) {
        if (value !== undefined) {
          args.push(value);
          where.push(`${column} = $${args.length}`);
        }
      }
      args.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
      const { rows } = await this.#pool.query(`SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq LIMIT $${args.length}`, args);
      return rows.map((row: Row) => ({
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

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO signing_keys (kid, department, key_number, thumbprint, public_jwk, valid_from, valid_until, compromised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [key.kid, key.department, key.keyNumber, key.thumbprint, JSON.stringify(key.publicJwk), key.validFrom, key.validUntil, key.compromisedAt],
    );
  }

  async signingKeys(): Promise<SigningKeyRecord[]> {
    const { rows } = await this.#pool.query("SELECT * FROM signing_keys ORDER BY department, key_number");
    return rows.map((row) => ({
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
    return this.#transaction(async (client) => {
      // ON CONFLICT DO NOTHING waits for a concurrent insert of the same number and then yields
      // nothing, without aborting the transaction: the caller retries with the next number.
      const { rows } = await client.query(
        `INSERT INTO custody_keys (kind, department, key_number, public_part, sealed, state, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0) ON CONFLICT (kind, department, key_number) DO NOTHING RETURNING key_number`,
        [key.kind, key.department, key.number, key.publicPart, key.sealed, key.state, key.createdAt],
      );
      if (rows.length === 0) return "taken";
      await stampCustodyChange(client, key);
      return "inserted";
    });
  }

  async custodyKeys(sinceVersion = 0): Promise<StoredCustodyKey[]> {
    const { rows } = await this.#pool.query("SELECT * FROM custody_keys WHERE version > $1 ORDER BY version, kind, department, key_number", [sinceVersion]);
    return rows.map(toCustodyKey);
  }

  async setCustodyKeyState(identity: CustodyKeyIdentity, state: CustodyKeyState): Promise<boolean> {
    return this.#transaction(async (client) => {
      const { rows } = await client.query(
        `UPDATE custody_keys SET state = $1 WHERE kind = $2 AND department = $3 AND key_number = $4
            AND state <> $1 AND state <> 'COMPROMISED' RETURNING key_number`,
        [state, identity.kind, identity.department, identity.number],
      );
      if (rows.length === 0) return false;
      await stampCustodyChange(client, identity);
      return true;
    });
  }

  async custodyVersion(): Promise<number> {
    const { rows } = await this.#pool.query("SELECT version FROM custody_changes WHERE id = 1");
    return Number(rows[0]?.version ?? 0);
  }

  async publishableReasonCodes(department: string): Promise<number[]> {
    const { rows } = await this.#pool.query("SELECT publishable_reason_codes FROM department_policies WHERE department = $1", [department]);
    return rows[0] ? reasonCodesOf(String(rows[0].publishable_reason_codes)) : [];
  }

  async setPublishableReasonCodes(department: string, codes: number[]): Promise<void> {
    await this.#pool.query(
      `INSERT INTO department_policies (department, publishable_reason_codes, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (department) DO UPDATE SET publishable_reason_codes = EXCLUDED.publishable_reason_codes, updated_at = EXCLUDED.updated_at`,
      [department, JSON.stringify(codes), new Date().toISOString()],
    );
  }

  async close(): Promise<void> {
    if (this.#closed || !this.#ownsPool) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
