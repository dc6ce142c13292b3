/**
 * The Subscriptions port on the embedded SQLite file: its own connection to the database that
 * SqliteStore opened (and migrated), so webhooks stay a separate small adapter.
 */
import type { DatabaseSync } from "node:sqlite";
import { EProofError } from "../../errors.ts";
import type { DeliveryAttempt, DeliveryRecord, NewDelivery, SubscriptionRecord, Subscriptions } from "../../ports.ts";
import { toDelivery, toDeliveryAttempt } from "./delivery-rows.ts";
import { inSqliteTransaction, openSqlite } from "./sqlite-database.ts";

type Row = Record<string, unknown>;

export class SqliteSubscriptions implements Subscriptions {
  readonly #db: DatabaseSync;

  /** `path` is the database file SqliteStore already opened: it applies the migrations. */
  constructor(path: string) {
    this.#db = openSqlite(path);
    const table = this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'webhook_deliveries'").get();
    if (!table) {
      this.#db.close();
      throw new EProofError("CONFIG_INVALID", `the database ${path} has no subscription tables: open it with SqliteStore first (it migrates)`);
    }
  }

  #transaction<T>(work: () => T): T {
    return inSqliteTransaction(this.#db, work);
  }

  #toSubscription(row: Row): SubscriptionRecord {
    const ids = this.#db
      .prepare("SELECT document_id FROM subscription_documents WHERE subscription_id = ? ORDER BY document_id")
      .all(String(row.id))
      .map((r) => String(r.document_id));
    return {
      id: String(row.id),
      owner: String(row.owner),
      url: String(row.url),
      documentIds: ids,
      department: (row.department as string | null) ?? null,
      docType: (row.doc_type as string | null) ?? null,
      createdAt: String(row.created_at),
    };
  }

  async createSubscription(s: SubscriptionRecord): Promise<void> {
    this.#transaction(() => {
      this.#db
        .prepare("INSERT INTO subscriptions (id, owner, url, department, doc_type, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(s.id, s.owner, s.url, s.department, s.docType, s.createdAt);
      const link = this.#db.prepare("INSERT OR IGNORE INTO subscription_documents (subscription_id, document_id) VALUES (?, ?)");
      for (const id of s.documentIds) link.run(s.id, id);
    });
  }

  async subscriptionsOf(owner: string): Promise<SubscriptionRecord[]> {
    return this.#db
      .prepare("SELECT * FROM subscriptions WHERE owner = ? ORDER BY created_at, id")
      .all(owner)
      .map((row) => this.#toSubscription(row));
  }

  async getSubscription(id: string): Promise<SubscriptionRecord | null> {
    const row = this.#db.prepare("SELECT * FROM subscriptions WHERE id = ?").get(id);
    return row ? this.#toSubscription(row) : null;
  }

  async deleteSubscription(owner: string, id: string): Promise<boolean> {
    const result = this.#db.prepare("DELETE FROM subscriptions WHERE id = ? AND owner = ?").run(id, owner);
    return Number(result.changes) > 0;
  }

  async matchingSubscriptions(event: { documentIds: string[]; department: string; docType: string | null }): Promise<SubscriptionRecord[]> {
    const found = new Map<string, Row>();
    const byDocument = this.#db.prepare("SELECT s.* FROM subscriptions s JOIN subscription_documents d ON d.subscription_id = s.id WHERE d.document_id = ?");
    for (const id of event.documentIds) {
      for (const row of byDocument.all(id)) found.set(String(row.id), row);
    }
    if (event.docType !== null) {
      for (const row of this.#db.prepare("SELECT * FROM subscriptions WHERE department = ? AND doc_type = ?").all(event.department, event.docType)) {
        found.set(String(row.id), row);
      }
    }
    return [...found.values()].map((row) => this.#toSubscription(row));
  }

  async enqueueDeliveries(deliveries: NewDelivery[]): Promise<number> {
    const insert = this.#db.prepare(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, url, body, state, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?) ON CONFLICT DO NOTHING`,
    );
    return this.#transaction(() => {
      let added = 0;
      const now = Date.now();
      for (const d of deliveries) {
        added += Number(insert.run(d.id, d.subscriptionId, d.eventId, d.url, d.body, now, new Date(now).toISOString()).changes);
      }
      return added;
    });
  }

  async claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]> {
    const rows = this.#transaction(() =>
      this.#db
        .prepare(
          `UPDATE webhook_deliveries SET leased_until = ?
            WHERE id IN (SELECT id FROM webhook_deliveries
                          WHERE state = 'PENDING' AND next_attempt_at <= ? AND leased_until <= ?
                          ORDER BY next_attempt_at, created_at LIMIT ?)
            RETURNING *`,
        )
        .all(now + leaseMs, now, now, limit),
    );
    return rows.map((row) => this.#toDelivery(row, false));
  }

  async recordDeliveryAttempt(id: string, attempt: DeliveryAttempt & { ok: boolean; nextAttemptAt: number | null }): Promise<void> {
    this.#transaction(() => {
      this.#db
        .prepare("INSERT INTO webhook_attempts (delivery_id, at, http_status, error, ms) VALUES (?, ?, ?, ?, ?)")
        .run(id, attempt.at, attempt.httpStatus, attempt.error, attempt.ms);
      const state = attempt.ok ? "DELIVERED" : attempt.nextAttemptAt === null ? "FAILED" : "PENDING";
      this.#db
        .prepare(
          `UPDATE webhook_deliveries SET attempts = attempts + 1, state = ?, next_attempt_at = ?, leased_until = 0,
                  delivered_at = ? WHERE id = ?`,
        )
        .run(state, attempt.ok ? null : attempt.nextAttemptAt, attempt.ok ? attempt.at : null, id);
    });
  }

  async deliveriesOf(subscriptionId: string): Promise<DeliveryRecord[]> {
    return this.#db
      .prepare("SELECT * FROM webhook_deliveries WHERE subscription_id = ? ORDER BY created_at, id")
      .all(subscriptionId)
      .map((row) => this.#toDelivery(row, true));
  }

  #toDelivery(row: Row, withLog: boolean): DeliveryRecord {
    const log = withLog ? this.#db.prepare("SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY id").all(String(row.id)).map(toDeliveryAttempt) : [];
    return toDelivery(row, log);
  }

  async chainCursor(key: string): Promise<number | null> {
    const row = this.#db.prepare("SELECT block FROM chain_cursors WHERE key = ?").get(key);
    return row ? Number(row.block) : null;
  }

  async saveChainCursor(key: string, block: number): Promise<void> {
    this.#db
      .prepare(
        "INSERT INTO chain_cursors (key, block, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET block = excluded.block, updated_at = excluded.updated_at",
      )
      .run(key, block, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
