/**
 * The production Store: PostgreSQL, shared by every instance of the service.
 *
 * Several instances may run against one database at once: migrations run under an advisory lock
 * (migrations.ts), sealing takes unbatched documents with FOR UPDATE SKIP LOCKED (a document lands in
 * one batch only), and the locks between instances are pg-locks.ts's, on the same pool. What both
 * dialects share is sql-store.ts's; here are the bulk statements and the writes that take a transaction.
 */
import type pg from "pg";
import { EProofError } from "../../errors.ts";
import type {
  AuditEntry,
  BatchTreeBuilder,
  CustodyKeyIdentity,
  CustodyKeyState,
  NewCustodyKey,
  NewDocument,
  StatusChangeRecord,
  StatusListEntry,
  StoredBatch,
} from "../../ports.ts";
import { openPgPool, type PgPoolOptions } from "./pg-database.ts";
import { inTransaction } from "./pg-transaction.ts";
import { pgClient, pgStatement, planOnce } from "./sql-client.ts";
import { byDepartment, custodyIdentityParams, custodyKeyParams, SqlStore, STATEMENTS, sealedTree, statusChangeParams, toStatusListEntry } from "./sql-store.ts";
import { type Row, toBatch } from "./store-rows.ts";

type Queryable = Pick<pg.PoolClient, "query">;

const UNIQUE_VIOLATION = "23505";

const APPEND_AUDIT = planOnce(`INSERT INTO audit_log (at, actor, role, action, department, document_id, details)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`);

/**
 * Moves the custody version and stamps the written row with it, inside the writer's transaction.
 * The counter row stays locked until COMMIT, so versions become visible in the order they were
 * taken: a reader that has seen version v has seen every row stamped v or lower.
 */
async function stampCustodyChange(client: Queryable, identity: CustodyKeyIdentity): Promise<void> {
  const { rows } = await client.query(STATEMENTS.nextCustodyVersion);
  await client.query(STATEMENTS.stampCustodyKey, [rows[0]?.version, ...custodyIdentityParams(identity)]);
}

/**
 * Byte strings as one binary parameter (sent as it is, where an array of them would be written out
 * as escaped text and parsed back) and where each starts (from 1, as substring counts) and how long
 * it is, for a statement to cut them out again.
 */
function packed(parts: Uint8Array[]): { bytes: Buffer; starts: number[]; lengths: number[] } {
  const starts: number[] = [];
  const lengths: number[] = [];
  let at = 1;
  for (const part of parts) {
    starts.push(at);
    lengths.push(part.length);
    at += part.length;
  }
  return { bytes: Buffer.concat(parts), starts, lengths };
}

export class PgStore extends SqlStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  #closed = false;

  /** On the instance's pool (pg-database.ts), already migrated; `ownsPool`: close() ends it. */
  constructor(pool: pg.Pool, options: { ownsPool?: boolean } = {}) {
    super(pgClient(pool));
    this.#pool = pool;
    this.#ownsPool = options.ownsPool ?? false;
  }

  /** A store on a pool of its own (tools and tests): connects, migrates, and ends the pool on close(). */
  static async open(options: PgPoolOptions): Promise<PgStore> {
    return new PgStore(await openPgPool(options), { ownsPool: true });
  }

  /** The pool, for the other PostgreSQL adapters of a tool or test that opened the store with open(). */
  get pool(): pg.Pool {
    return this.#pool;
  }

  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, work);
  }

  /**
   * One statement (atomic on its own, so no transaction round trips): the documents by unnest, and
   * their files cut out of one binary parameter, the UTF-8 of every file one after another (packed()).
   */
  async insertDocuments(documents: NewDocument[]): Promise<void> {
    if (documents.length === 0) return;
    const files = packed(documents.map((d) => (typeof d.documentJson === "string" ? Buffer.from(d.documentJson, "utf8") : d.documentJson)));
    try {
      await this.#pool.query(
        `WITH inserted AS (
           INSERT INTO documents (id, department, type, issued_at, leaf, idempotency_key)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           RETURNING seq, id)
         INSERT INTO document_files (seq, json)
         SELECT i.seq, convert_from(substring($7::bytea FROM f.start FOR f.length), 'UTF8')
           FROM unnest($1::text[], $8::int[], $9::int[]) AS f(id, start, length) JOIN inserted i ON i.id = f.id`,
        [
          documents.map((d) => d.id),
          documents.map((d) => d.department),
          documents.map((d) => d.type),
          documents.map((d) => d.issuedAt),
          documents.map((d) => d.leaf),
          documents.map((d) => d.idempotencyKey ?? null),
          files.bytes,
          files.starts,
          files.lengths,
        ],
      );
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
    // Unnamed on purpose (planned with its values): a generic plan cannot use the partial index
    // documents_idempotency on both columns, and scanned every document of the department instead.
    const { rows } = await this.#pool.query("SELECT idempotency_key, id FROM documents WHERE department = $1 AND idempotency_key = ANY($2::text[])", [
      department,
      keys,
    ]);
    return new Map(rows.map((row) => [String(row.idempotency_key), String(row.id)]));
  }

  async sealBatch(department: string, type: string, maxSize: number, buildTree: BatchTreeBuilder): Promise<StoredBatch | null> {
    return this.#transaction(async (client) => {
      // SKIP LOCKED: an instance sealing at the same moment takes other documents, never the same ones.
      const { rows } = await client.query(
        `SELECT seq, leaf FROM documents WHERE batch_id IS NULL AND department = $1 AND type = $2
          ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [department, type, maxSize],
      );
      if (rows.length === 0) return null;
      const { root, chunks, seqs, slots } = sealedTree(rows, buildTree);
      const batch = (await client.query(STATEMENTS.insertBatch, [department, type, root, rows.length, new Date().toISOString()])).rows[0] as Row;
      const nodes = packed(chunks.map((chunk) => chunk.nodes));
      await client.query(
        `INSERT INTO batch_tree_chunks (batch_id, chunk, nodes)
         SELECT $1, c.key, substring($2::bytea FROM c.start FOR c.length) FROM unnest($3::int[], $4::int[], $5::int[]) AS c(key, start, length)`,
        [batch.id, nodes.bytes, chunks.map((chunk) => chunk.key), nodes.starts, nodes.lengths],
      );
      const assigned = await client.query(
        "UPDATE documents d SET batch_id = $1, batch_slot = p.slot FROM unnest($2::bigint[], $3::int[]) AS p(seq, slot) WHERE d.seq = p.seq",
        [batch.id, seqs, slots],
      );
      if (assigned.rowCount !== rows.length) throw new Error(`sealing batch ${batch.id} placed ${assigned.rowCount} of ${rows.length} documents`);
      return toBatch(batch);
    });
  }

  async recordStatusChanges(changes: StatusChangeRecord[]): Promise<void> {
    await this.#transaction(async (client: Queryable) => {
      for (const change of changes) {
        const params = statusChangeParams(change);
        await client.query(STATEMENTS.insertStatusChange, params.history);
        await client.query(STATEMENTS.setCurrentStatus, params.current);
      }
    });
  }

  /**
   * The department's counter row is locked from its UPDATE to COMMIT, so one department's allocations
   * run one after another across instances; two allocations for the same document both pass the first
   * look, and the second's insert then finds the first's row (ON CONFLICT DO NOTHING) and answers it (its
   * ordinal is left unused: a list only gets a hole, never a shared index).
   */
  async allocateStatusListEntry(
    documentId: string,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<StatusListEntry | null> {
    return this.#transaction(async (client: Queryable) => {
      const document = (await client.query(STATEMENTS.documentPlace, [documentId])).rows[0] as Row | undefined;
      if (!document) return null;
      const seq = Number(document.seq);
      const department = String(document.department);
      const existing = (await client.query(STATEMENTS.statusListEntryOf, [seq])).rows[0] as Row | undefined;
      if (existing) return toStatusListEntry(existing);
      await client.query(STATEMENTS.createStatusListDepartment, [department, newSecret]);
      const next = (await client.query(STATEMENTS.nextStatusListOrdinal, [department])).rows[0] as Row;
      const ordinal = Number(next.ordinal);
      const { list, index } = place(ordinal, String(next.secret));
      const inserted = (await client.query(STATEMENTS.insertStatusListEntry, [seq, department, ordinal, list, index])).rows[0] as Row | undefined;
      const entry = inserted ?? ((await client.query(STATEMENTS.statusListEntryOf, [seq])).rows[0] as Row | undefined);
      if (!entry) throw new Error(`status list entry of document seq ${seq} vanished`);
      return toStatusListEntry(entry);
    });
  }

  /**
   * One transaction per department, which first locks the department's counter row: allocations of
   * that department (on-demand ones and other instances' bulk runs) wait for it, and the documents it
   * then still finds without a place are exactly those nobody placed meanwhile.
   */
  async placeDocumentsWithoutEntry(
    afterSeq: number,
    limit: number,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<{ placed: number; looked: number; lastSeq: number | null }> {
    const candidates = (await this.#pool.query(STATEMENTS.documentsWithoutEntry, [afterSeq, limit])).rows as Row[];
    if (candidates.length === 0) return { placed: 0, looked: 0, lastSeq: null };
    let placed = 0;
    for (const [department, seqs] of byDepartment(candidates)) {
      placed += await this.#transaction(async (client: Queryable) => {
        await client.query(STATEMENTS.createStatusListDepartment, [department, newSecret]);
        const counter = (await client.query(STATEMENTS.lockStatusListDepartment, [department])).rows[0] as Row;
        const first = Number(counter.next_ordinal);
        const secret = String(counter.secret);
        const { rows } = await client.query(
          `SELECT s.seq FROM unnest($1::bigint[]) AS s(seq)
            WHERE NOT EXISTS (SELECT 1 FROM status_list_entries e WHERE e.document_seq = s.seq) ORDER BY s.seq`,
          [seqs],
        );
        const unplaced = rows.map((row) => Number(row.seq));
        if (unplaced.length === 0) return 0;
        const ordinals = unplaced.map((_, i) => first + i);
        const places = ordinals.map((ordinal) => place(ordinal, secret));
        await client.query(
          `INSERT INTO status_list_entries (document_seq, department, ordinal, list, idx)
           SELECT s.seq, $2, s.ordinal, s.list, s.idx FROM unnest($1::bigint[], $3::bigint[], $4::int[], $5::int[]) AS s(seq, ordinal, list, idx)`,
          [unplaced, department, ordinals, places.map((p) => p.list), places.map((p) => p.index)],
        );
        await client.query(STATEMENTS.advanceStatusListOrdinal, [department, unplaced.length]);
        return unplaced.length;
      });
    }
    return { placed, looked: candidates.length, lastSeq: Number(candidates[candidates.length - 1]?.seq) };
  }

  protected async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#pool.query(
      pgStatement(APPEND_AUDIT, [
        new Date().toISOString(),
        entries.map((e) => e.actor),
        entries.map((e) => e.role),
        entries.map((e) => e.action),
        entries.map((e) => e.department),
        entries.map((e) => e.documentId),
        entries.map((e) => JSON.stringify(e.details)),
      ]),
    );
  }

  async insertCustodyKey(key: NewCustodyKey): Promise<"inserted" | "taken"> {
    return this.#transaction(async (client) => {
      // ON CONFLICT DO NOTHING waits for a concurrent insert of the same number and then yields
      // nothing, without aborting the transaction: the caller retries with the next number.
      if ((await client.query(STATEMENTS.insertCustodyKey, custodyKeyParams(key))).rows.length === 0) return "taken";
      await stampCustodyChange(client, key);
      return "inserted";
    });
  }

  async setCustodyKeyState(identity: CustodyKeyIdentity, state: CustodyKeyState): Promise<boolean> {
    return this.#transaction(async (client) => {
      if ((await client.query(STATEMENTS.setCustodyKeyState, [state, ...custodyIdentityParams(identity)])).rows.length === 0) return false;
      await stampCustodyChange(client, identity);
      return true;
    });
  }

  async close(): Promise<void> {
    if (this.#closed || !this.#ownsPool) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
