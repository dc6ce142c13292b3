/**
 * The webhook dispatcher: sends queued notifications, retrying with exponential back-off.
 *
 * The queue is in the database (Subscriptions port), so a process that dies loses nothing: a
 * delivery it had leased is sent again when the lease runs out. Delivery is therefore at least once;
 * each notification carries a delivery id (header and `jti`) that stays the same across retries, so
 * a receiver that ignores an id it has already processed sees every (subscription, event) exactly once.
 */

import type { Logger } from "../logger.ts";
import type { Clock, DeliveryRecord, Random, Subscriptions, WebhookTransport } from "../ports.ts";
import { LoopWorker } from "./background-loop.ts";

export interface DispatcherDeps {
  subscriptions: Subscriptions;
  transport: WebhookTransport;
  clock: Clock;
  /** Jitter for the retry delays, so that many failed deliveries do not retry in step. */
  random: Random;
  logger: Logger;
  onAttempt?: (outcome: "delivered" | "retry" | "given_up") => void;
}

export interface RetryPolicy {
  /** Delay before the 2nd attempt, ms; doubles after each failure. */
  baseDelayMs: number;
  /** Longest delay between two attempts, ms. */
  maxDelayMs: number;
  /** Attempts before a delivery is given up (FAILED). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 2_000, maxDelayMs: 3_600_000, maxAttempts: 20 };

/** When to try again after `attempts` failed attempts, or null to give up. Up to 10% jitter spreads a burst of retries. */
/** A number in [0, 1) from four random bytes. */
function unitInterval(random: Random): number {
  const [a = 0, b = 0, c = 0, d = 0] = random.bytes(4);
  return (((a << 24) >>> 0) + (b << 16) + (c << 8) + d) / 2 ** 32;
}

export function nextAttemptAt(now: number, attempts: number, policy: RetryPolicy, jitter: number): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const delay = Math.min(policy.baseDelayMs * 2 ** (attempts - 1), policy.maxDelayMs);
  return now + Math.round(delay * (1 + 0.1 * jitter));
}

export class WebhookDispatcher extends LoopWorker {
  readonly #deps: DispatcherDeps;
  readonly #policy: RetryPolicy;
  readonly #pollMs: number;
  readonly #leaseMs: number;

  constructor(deps: DispatcherDeps, options: { policy?: RetryPolicy; pollMs?: number; leaseMs?: number } = {}) {
    super();
    this.#deps = deps;
    this.#policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.#pollMs = options.pollMs ?? 500;
    this.#leaseMs = options.leaseMs ?? 60_000;
  }

  /** One turn: the deliveries due now; at once again while there are some, else after the poll interval. */
  protected async turn(): Promise<number> {
    try {
      if ((await this.runOnce()) > 0) return 0;
    } catch (error) {
      this.#deps.logger.error({ event: "webhook.dispatch_failed", err: error }, "webhook dispatcher failed; retrying");
    }
    return this.#pollMs;
  }

  /** Sends the deliveries due now; returns how many were attempted. */
  async runOnce(limit = 20): Promise<number> {
    const due = await this.#deps.subscriptions.claimDueDeliveries(this.#deps.clock.now(), limit, this.#leaseMs);
    await Promise.all(due.map((delivery) => this.#attempt(delivery)));
    return due.length;
  }

  async #attempt(delivery: DeliveryRecord): Promise<void> {
    const { transport, subscriptions, clock, logger } = this.#deps;
    const started = clock.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      httpStatus = await transport.post(delivery.url, delivery.body, {
        "content-type": "application/jose",
        "x-eproof-delivery-id": delivery.id,
        "x-eproof-event-id": delivery.eventId,
        "x-eproof-attempt": String(delivery.attempts + 1),
      });
    } catch (cause) {
      error = cause instanceof Error ? cause.message.slice(0, 200) : "no answer";
    }
    const ok = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
    if (!ok && error === null) error = `HTTP ${httpStatus}`;
    const now = clock.now();
    const attempts = delivery.attempts + 1;
    const next = ok ? null : nextAttemptAt(now, attempts, this.#policy, unitInterval(this.#deps.random));
    await subscriptions.recordDeliveryAttempt(delivery.id, { at: new Date(now).toISOString(), httpStatus, error, ms: now - started, ok, nextAttemptAt: next });
    this.#deps.onAttempt?.(ok ? "delivered" : next === null ? "given_up" : "retry");
    // The URL is the receiver's, not personal data; the body is never logged.
    if (ok) logger.info({ event: "webhook.delivered", deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, attempts }, "notification delivered");
    else if (next === null)
      logger.warn({ event: "webhook.given_up", deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, attempts, error }, "notification given up");
    else logger.info({ event: "webhook.retry", deliveryId: delivery.id, attempts, retryInMs: next - now, error }, "notification failed; will retry");
  }
}
