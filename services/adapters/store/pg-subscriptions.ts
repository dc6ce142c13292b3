/**
 * The Subscriptions port on PostgreSQL, for several service instances behind a load balancer: the
 * delivery queue is claimed with FOR UPDATE SKIP LOCKED, so two dispatchers never lease the same
 * delivery, and the (subscription, event) key keeps two followers from queueing one event twice.
 * It works on the instance's one pool (pg-database.ts), whose migrations (PG_MIGRATIONS) create its tables.
 */
import type pg from "pg";
import type { DeliveryAttempt, DeliveryRecord, NewDelivery, SubscriptionRecord, Subscriptions } from "../../ports.ts";
import { toDelivery, toDeliveryAttempt } from "./delivery-rows.ts";
import { inTransaction } from "./pg-transaction.ts";

type Row = Record<string, unknown>;

export class PgSubscriptions implements Subscriptions {
  readonly #pool: pg.Pool;

  /** `pool`: the instance's pool, already migrated (openPgPool). */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, work);
  }

  async #toSubscriptions(rows: Row[]): Promise<SubscriptionRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => String(row.id));
    const links = await this.#pool.query(
      "SELECT subscription_id, document_id FROM subscription_documents WHERE subscription_id = ANY($1) ORDER BY document_id",
      [ids],
    );
    const documents = new Map<string, string[]>();
    for (const link of links.rows as Row[]) {
      const list = documents.get(String(link.subscription_id)) ?? [];
      list.push(String(link.document_id));
      documents.set(String(link.subscription_id), list);
    }
    return rows.map((row) => ({
      id: String(row.id),
      owner: String(row.owner),
      url: String(row.url),
      documentIds: documents.get(String(row.id)) ?? [],
      department: (row.department as string | null) ?? null,
      docType: (row.doc_type as string | null) ?? null,
      createdAt: String(row.created_at),
    }));
  }

  async createSubscription(s: SubscriptionRecord): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query("INSERT INTO subscriptions (id, owner, url, department, doc_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)", [
        s.id,
        s.owner,
        s.url,
        s.department,
        s.docType,
        s.createdAt,
      ]);
      if (s.documentIds.length > 0) {
        await client.query("INSERT INTO subscription_documents (subscription_id, document_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING", [
          s.id,
          s.documentIds,
        ]);
      }
    });
  }

  async subscriptionsOf(owner: string): Promise<SubscriptionRecord[]> {
    const { rows } = await this.#pool.query("SELECT * FROM subscriptions WHERE owner = $1 ORDER BY created_at, id", [owner]);
    return this.#toSubscriptions(rows);
  }

  async getSubscription(id: string): Promise<SubscriptionRecord | null> {
    const { rows } = await this.#pool.query("SELECT * FROM subscriptions WHERE id = $1", [id]);
    return (await this.#toSubscriptions(rows))[0] ?? null;
  }

  async deleteSubscription(owner: string, id: string): Promise<boolean> {
    const result = await this.#pool.query("DELETE FROM subscriptions WHERE id = $1 AND owner = $2", [id, owner]);
    return (result.rowCount ?? 0) > 0;
  }

  async matchingSubscriptions(event: { documentIds: string[]; department: string; docType: string | null }): Promise<SubscriptionRecord[]> {
    const { rows } = await this.#pool.query(
      `SELECT * FROM subscriptions s
        WHERE EXISTS (SELECT 1 FROM subscription_documents d WHERE d.subscription_id = s.id AND d.document_id = ANY($1))
           OR ($3::text IS NOT NULL AND s.department = $2 AND s.doc_type = $3)
        ORDER BY s.created_at, s.id`,
      [event.documentIds, event.department, event.docType],
    );
    return this.#toSubscriptions(rows);
  }

  async enqueueDeliveries(deliveries: NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const now = Date.now();
    const result = await this.#pool.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, url, body, state, next_attempt_at, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS d(id, subscription_id, event_id, url, body)
                CROSS JOIN (SELECT 'PENDING', $6::bigint, $7::text) AS fixed
       ON CONFLICT DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.subscriptionId),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.url),
        deliveries.map((d) => d.body),
        now,
        new Date(now).toISOString(),
      ],
    );
    return result.rowCount ?? 0;
  }

  async claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]> {
    const { rows } = await this.#pool.query(
      `UPDATE webhook_deliveries SET leased_until = $1
        WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE state = 'PENDING' AND next_attempt_at <= $2 AND leased_until <= $2
                      ORDER BY next_attempt_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now + leaseMs, now, limit],
    );
    return (rows as Row[]).map((row) => toDelivery(row, [])).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async recordDeliveryAttempt(id: string, attempt: DeliveryAttempt & { ok: boolean; nextAttemptAt: number | null }): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query("INSERT INTO webhook_attempts (delivery_id, at, http_status, error, ms) VALUES ($1, $2, $3, $4, $5)", [
        id,
        attempt.at,
        attempt.httpStatus,
        attempt.error,
        attempt.ms,
      ]);
      const state = attempt.ok ? "DELIVERED" : attempt.nextAttemptAt === null ? "FAILED" : "PENDING";
      await client.query(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, state = $1, next_attempt_at = $2, leased_until = 0, delivered_at = $3 WHERE id = $4`,
        [state, attempt.ok ? null : attempt.nextAttemptAt, attempt.ok ? attempt.at : null, id],
      );
    });
  }

  async deliveriesOf(subscriptionId: string): Promise<DeliveryRecord[]> {
    const { rows } = await this.#pool.query("SELECT * FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY created_at, id", [subscriptionId]);
    const attempts = await this.#pool.query(
      "SELECT a.* FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1 ORDER BY a.id",
      [subscriptionId],
    );
    const logs = new Map<string, DeliveryAttempt[]>();
    for (const a of attempts.rows as Row[]) {
      const list = logs.get(String(a.delivery_id)) ?? [];
      list.push(toDeliveryAttempt(a));
      logs.set(String(a.delivery_id), list);
    }
    return (rows as Row[]).map((row) => toDelivery(row, logs.get(String(row.id)) ?? []));
  }

  async chainCursor(key: string): Promise<number | null> {
    const { rows } = await this.#pool.query("SELECT block FROM chain_cursors WHERE key = $1", [key]);
    return rows[0] ? Number(rows[0].block) : null;
  }

  async saveChainCursor(key: string, block: number): Promise<void> {
    await this.#pool.query(
      "INSERT INTO chain_cursors (key, block, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET block = excluded.block, updated_at = excluded.updated_at",
      [key, block, new Date().toISOString()],
    );
  }

  /** The pool is the instance's: whoever opened it ends it. */
  async close(): Promise<void> {}
}
