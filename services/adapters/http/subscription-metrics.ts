/** Prometheus metrics of the chain follower and the webhook dispatcher, on the app's registry. */
import { Counter, Gauge, type Registry } from "prom-client";

export type DeliveryOutcome = "delivered" | "retry" | "given_up";

export interface SubscriptionMetrics {
  webhookAttempts: Counter<"outcome">;
  followerBlock: Gauge;
  chainStatusEvents: Counter;
}

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  return {
    webhookAttempts: new Counter({
      name: "eproof_webhook_attempts_total",
      help: "Webhook delivery attempts by outcome (delivered, retry = failed and rescheduled, given_up)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    followerBlock: new Gauge({ name: "eproof_chain_follower_block", help: "Last block whose status events the follower has processed", registers: [registry] }),
    chainStatusEvents: new Counter({
      name: "eproof_chain_status_events_total",
      help: "Status events read from the chain by the follower",
      registers: [registry],
    }),
  };
}
