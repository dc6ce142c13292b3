/** Rows of the webhook tables as both stores return them (the same columns in SQLite and PostgreSQL). */
import type { DeliveryAttempt, DeliveryRecord } from "../../ports.ts";

type Row = Record<string, unknown>;

export function toDeliveryAttempt(row: Row): DeliveryAttempt {
  return {
    at: String(row.at),
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: (row.error as string | null) ?? null,
    ms: Number(row.ms),
  };
}

export function toDelivery(row: Row, log: DeliveryAttempt[]): DeliveryRecord {
  return {
    id: String(row.id),
    subscriptionId: String(row.subscription_id),
    eventId: String(row.event_id),
    url: String(row.url),
    body: String(row.body),
    state: row.state as DeliveryRecord["state"],
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : new Date(Number(row.next_attempt_at)).toISOString(),
    createdAt: String(row.created_at),
    deliveredAt: (row.delivered_at as string | null) ?? null,
    log,
  };
}
