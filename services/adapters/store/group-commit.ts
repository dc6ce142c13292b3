/**
 * Group commit: writes asked for while an earlier write is still on its way to the database wait for
 * it, and are then written together in one call of `write` (one transaction: one set of round trips
 * and one commit for all of them), instead of each opening its own transaction at once. A write asked
 * for while none is in flight goes at once, so an idle service waits for nothing.
 *
 * Each caller's promise settles only when the call of `write` that carried its items has: resolved
 * means committed (durable), as with a write of its own. When a group fails, each write of it is tried
 * again alone, so that what one caller sent (say an idempotency key another request holds) fails that
 * caller only, with its own error, and the others are written as if they had come alone.
 *
 * So `write` must be atomic: all of its items committed, or none.
 *
 * Under load this is what turns a stream of small writes (single issuances, their audit entries) into
 * few transactions: the database and the loopback round trips, not the writes' CPU, were the cost.
 */
import type { AuditEntry, AuditLog, DocumentStore, NewDocument } from "../../ports.ts";

export interface GroupCommitOptions<T> {
  /** Most items written in one call (default 512); a write of more goes alone, at once. */
  maxItems?: number;
  /** How many items one write counts for (default: its length). */
  sizeOf?: (items: T[]) => number;
}

interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #maxItems: number;
  readonly #sizeOf: (items: T[]) => number;
  #queue: Array<Pending<T>> = [];
  #inFlight = false;

  constructor(write: (items: T[]) => Promise<void>, options: GroupCommitOptions<T> = {}) {
    this.#write = write;
    this.#maxItems = options.maxItems ?? 512;
    this.#sizeOf = options.sizeOf ?? ((items) => items.length);
  }

  /** Writes `items`, alone or with the writes asked for meanwhile; resolves once they are committed. */
  write(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    if (this.#sizeOf(items) >= this.#maxItems) return this.#write(items);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      if (!this.#inFlight) void this.#drain();
    });
  }

  /** Writes group after group until nobody waits; one group in flight at a time. */
  async #drain(): Promise<void> {
    this.#inFlight = true;
    try {
      while (this.#queue.length > 0) await this.#writeGroup(this.#takeGroup());
    } finally {
      this.#inFlight = false;
    }
  }

  /** The oldest waiting writes, as many as fit in maxItems (at least one). */
  #takeGroup(): Array<Pending<T>> {
    let size = 0;
    let count = 0;
    for (const pending of this.#queue) {
      const next = this.#sizeOf(pending.items);
      if (count > 0 && size + next > this.#maxItems) break;
      size += next;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }

  async #writeGroup(group: Array<Pending<T>>): Promise<void> {
    try {
      await this.#write(group.length === 1 ? (group[0] as Pending<T>).items : group.flatMap((pending) => pending.items));
      for (const pending of group) pending.resolve();
    } catch (error) {
      if (group.length === 1) {
        (group[0] as Pending<T>).reject(error);
        return;
      }
      // Nothing of the group was committed (one transaction): each write again on its own.
      await Promise.all(group.map((pending) => this.#write(pending.items).then(pending.resolve, pending.reject)));
    }
  }
}

/** The issuance's part of a store, with its inserts group-committed (one transaction for the issuances that arrive together). */
export function groupCommittedInserts(
  store: Pick<DocumentStore, "insertDocuments" | "findByIdempotencyKey" | "getDocument">,
  options: GroupCommitOptions<NewDocument> = {},
): Pick<DocumentStore, "insertDocuments" | "findByIdempotencyKey" | "getDocument"> {
  const inserts = new GroupCommit<NewDocument>((documents) => store.insertDocuments(documents), options);
  return {
    insertDocuments: (documents) => inserts.write(documents),
    findByIdempotencyKey: (department, keys) => store.findByIdempotencyKey(department, keys),
    getDocument: (id) => store.getDocument(id),
  };
}

/** The audit log with its appends group-committed (one insert for the entries of the requests answered together). */
export function groupCommittedAudit(audit: AuditLog): AuditLog {
  const appends = new GroupCommit<AuditEntry>((entries) => audit.append(entries));
  return { append: (entries) => appends.write(entries), list: (filter) => audit.list(filter) };
}
