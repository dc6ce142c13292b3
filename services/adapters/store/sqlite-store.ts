/**
 * The embedded Store: SQLite through Node's built-in `node:sqlite`, one file in the data folder.
 * WAL journal and synchronous=FULL: a write that returned survives a killed process (and a power cut).
 * What both dialects share is sql-store.ts's; here are the writes that take a transaction, which on
 * SQLite are synchronous, so nothing else runs on this connection while one is open.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
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
import { migrateSqlite } from "./migrations.ts";
import { sqliteClient } from "./sql-client.ts";
import { byDepartment, custodyIdentityParams, custodyKeyParams, SqlStore, STATEMENTS, sealedTree, statusChangeParams, toStatusListEntry } from "./sql-store.ts";
import { inSqliteTransaction, openSqlite } from "./sqlite-database.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";
import { type Row, toBatch } from "./store-rows.ts";

/**
 * Rows per multi-row INSERT (7 parameters each). A shorter rest is cut into powers of two, so that
 * a handful of statement texts is prepared, whatever the sizes of the requests. The placeholders are
 * anonymous (?): with numbered ones (?NNN, what sqliteText makes of $n) binding cost grows with their
 * count (10,000 rows in 128-row statements, measured: 103 ms numbered, 22 ms anonymous), which made
 * them slower than single-row ones.
 */
const INSERT_ROWS = 128;
const insertRowsAt = (left: number): number => Math.min(INSERT_ROWS, 2 ** Math.floor(Math.log2(left)));
const insertTexts = new Map<number, { documents: string; files: string }>();
/** The two statements that insert `rows` documents and their files (UTF-8 bytes are stored as the text they encode). */
function insertText(rows: number): { documents: string; files: string } {
  let texts = insertTexts.get(rows);
  if (!texts) {
    const values = (row: string) => Array.from({ length: rows }, () => row).join(", ");
    texts = {
      documents: `INSERT INTO documents (seq, id, department, type, issued_at, leaf, idempotency_key) VALUES ${values("(?, ?, ?, ?, ?, ?, ?)")}`,
      files: `INSERT INTO document_files (seq, json) VALUES ${values("(?, CAST(? AS TEXT))")}`,
    };
    insertTexts.set(rows, texts);
  }
  return texts;
}
/** The next document seq: after the highest in the table and the highest AUTOINCREMENT ever gave (seqs are never reused). */
const NEXT_DOCUMENT_SEQ = `SELECT MAX(COALESCE((SELECT MAX(seq) FROM documents), 0),
                                COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'documents'), 0)) + 1 AS seq`;

export class SqliteStore extends SqlStore {
  readonly #db: DatabaseSync;
  readonly #sql: ReturnType<typeof sqliteClient>;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = openSqlite(path);
    try {
      migrateSqlite(db, SQLITE_MIGRATIONS);
    } catch (error) {
      db.close();
      throw error;
    }
    const sql = sqliteClient(db);
    super(sql);
    this.#db = db;
    this.#sql = sql;
  }

  #transaction<T>(work: () => T): T {
    return inSqliteTransaction(this.#db, work);
  }

  /**
   * Multi-row INSERTs of up to INSERT_ROWS documents (and as many files) each, in one IMMEDIATE
   * transaction. The seqs are given here rather than by AUTOINCREMENT one row at a time: the
   * transaction holds the database's write lock, so nobody else takes them meanwhile.
   */
  async insertDocuments(documents: NewDocument[]): Promise<void> {
    if (documents.length === 0) return;
    try {
      this.#transaction(() => {
        let seq = Number(this.#sql.prepare(NEXT_DOCUMENT_SEQ).get()?.seq);
        for (let at = 0; at < documents.length; ) {
          const rows = insertRowsAt(documents.length - at);
          const documentParams: SQLInputValue[] = [];
          const fileParams: SQLInputValue[] = [];
          for (const d of documents.slice(at, at + rows)) {
            documentParams.push(seq, d.id, d.department, d.type, d.issuedAt, d.leaf, d.idempotencyKey ?? null);
            fileParams.push(seq, d.documentJson);
            seq += 1;
          }
          const text = insertText(rows);
          this.#sql.prepare(text.documents).run(...documentParams);
          this.#sql.prepare(text.files).run(...fileParams);
          at += rows;
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
    const statement = this.#sql.prepare("SELECT id FROM documents WHERE department = $1 AND idempotency_key = $2");
    for (const key of keys) {
      const row = statement.get(department, key);
      if (row) found.set(key, String(row.id));
    }
    return found;
  }

  async sealBatch(department: string, type: string, maxSize: number, buildTree: BatchTreeBuilder): Promise<StoredBatch | null> {
    return this.#transaction(() => {
      const rows = this.#sql
        .prepare("SELECT seq, leaf FROM documents WHERE batch_id IS NULL AND department = $1 AND type = $2 ORDER BY seq LIMIT $3")
        .all(department, type, maxSize);
      if (rows.length === 0) return null;
      const { root, chunks, seqs, slots } = sealedTree(rows, buildTree);
      const inserted = this.#sql.prepare(STATEMENTS.insertBatch).get(department, type, root, rows.length, new Date().toISOString()) as Row;
      const batchId = Number(inserted.id);
      const insertChunk = this.#sql.prepare("INSERT INTO batch_tree_chunks (batch_id, chunk, nodes) VALUES ($1, $2, $3)");
      for (const chunk of chunks) insertChunk.run(batchId, chunk.key, chunk.nodes);
      // Every document's batch and slot in one statement: [seq, slot] pairs, unpacked by json_each.
      const assigned = this.#sql
        .prepare("UPDATE documents SET batch_id = $1, batch_slot = p.value ->> 1 FROM json_each($2) AS p WHERE documents.seq = p.value ->> 0")
        .run(batchId, JSON.stringify(seqs.map((seq, i) => [seq, slots[i]])));
      if (Number(assigned.changes) !== rows.length) throw new Error(`sealing batch ${batchId} placed ${assigned.changes} of ${rows.length} documents`);
      return toBatch(inserted);
    });
  }

  async recordStatusChanges(changes: StatusChangeRecord[]): Promise<void> {
    const history = this.#sql.prepare(STATEMENTS.insertStatusChange);
    const current = this.#sql.prepare(STATEMENTS.setCurrentStatus);
    this.#transaction(() => {
      for (const change of changes) {
        const params = statusChangeParams(change);
        history.run(...params.history);
        current.run(...params.current);
      }
    });
  }

  protected async appendAudit(entries: AuditEntry[]): Promise<void> {
    const insert = this.#sql.prepare("INSERT INTO audit_log (at, actor, role, action, department, document_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    const at = new Date().toISOString();
    this.#transaction(() => {
      for (const e of entries) insert.run(at, e.actor, e.role, e.action, e.department, e.documentId, JSON.stringify(e.details));
    });
  }

  async insertCustodyKey(key: NewCustodyKey): Promise<"inserted" | "taken"> {
    return this.#transaction(() => {
      if (!this.#sql.prepare(STATEMENTS.insertCustodyKey).get(...custodyKeyParams(key))) return "taken";
      this.#stampCustodyChange(key);
      return "inserted";
    });
  }

  async setCustodyKeyState(identity: CustodyKeyIdentity, state: CustodyKeyState): Promise<boolean> {
    return this.#transaction(() => {
      if (!this.#sql.prepare(STATEMENTS.setCustodyKeyState).get(state, ...custodyIdentityParams(identity))) return false;
      this.#stampCustodyChange(identity);
      return true;
    });
  }

  /** Moves the custody version and stamps the written row with it (inside the caller's transaction). */
  #stampCustodyChange(identity: CustodyKeyIdentity): void {
    const version = Number(this.#sql.prepare(STATEMENTS.nextCustodyVersion).get()?.version);
    this.#sql.prepare(STATEMENTS.stampCustodyKey).run(version, ...custodyIdentityParams(identity));
  }

  async allocateStatusListEntry(
    documentId: string,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<StatusListEntry | null> {
    return this.#transaction(() => {
      const document = this.#sql.prepare(STATEMENTS.documentPlace).get(documentId);
      if (!document) return null;
      const seq = Number(document.seq);
      const department = String(document.department);
      const existing = this.#sql.prepare(STATEMENTS.statusListEntryOf).get(seq);
      if (existing) return toStatusListEntry(existing);
      this.#sql.prepare(STATEMENTS.createStatusListDepartment).run(department, newSecret);
      const next = this.#sql.prepare(STATEMENTS.nextStatusListOrdinal).get(department) as Row;
      const ordinal = Number(next.ordinal);
      const { list, index } = place(ordinal, String(next.secret));
      const inserted = this.#sql.prepare(STATEMENTS.insertStatusListEntry).get(seq, department, ordinal, list, index);
      return toStatusListEntry(inserted as Row);
    });
  }

  async placeDocumentsWithoutEntry(
    afterSeq: number,
    limit: number,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<{ placed: number; looked: number; lastSeq: number | null }> {
    const candidates = this.#sql.prepare(STATEMENTS.documentsWithoutEntry).all(afterSeq, limit) as Row[];
    if (candidates.length === 0) return { placed: 0, looked: 0, lastSeq: null };
    let placed = 0;
    for (const [department, seqs] of byDepartment(candidates)) {
      placed += this.#transaction(() => {
        this.#sql.prepare(STATEMENTS.createStatusListDepartment).run(department, newSecret);
        const counter = this.#sql.prepare(STATEMENTS.lockStatusListDepartment).get(department) as Row;
        const first = Number(counter.next_ordinal);
        const secret = String(counter.secret);
        let given = 0;
        for (const seq of seqs) {
          // A document placed since the look (an export asked, another instance ran) keeps its place.
          if (this.#sql.prepare(STATEMENTS.statusListEntryOf).get(seq)) continue;
          const ordinal = first + given;
          const { list, index } = place(ordinal, secret);
          this.#sql.prepare(STATEMENTS.insertStatusListEntry).run(seq, department, ordinal, list, index);
          given++;
        }
        this.#sql.prepare(STATEMENTS.advanceStatusListOrdinal).run(department, given);
        return given;
      });
    }
    return { placed, looked: candidates.length, lastSeq: Number(candidates[candidates.length - 1]?.seq) };
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
