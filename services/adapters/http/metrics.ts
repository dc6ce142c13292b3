/** Prometheus metrics for /metrics. One registry per app, so tests do not share counters. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  documentsIssued: Counter<"type">;
  batchesAnchored: Counter;
  verifications: Counter<"verdict" | "input">;
  outboxUnanchored: Gauge;
}

export function createMetrics(unanchored: () => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: "eproof_http_requests_total", help: "HTTP requests", labelNames: ["method", "route", "status"], registers: [registry] }),
    httpDuration: new Histogram({
      name: "eproof_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    documentsIssued: new Counter({
      name: "eproof_documents_issued_total",
      help: "Documents accepted for issuance",
      labelNames: ["type"],
      registers: [registry],
    }),
    batchesAnchored: new Counter({ name: "eproof_batches_anchored_total", help: "Merkle batches anchored on chain", registers: [registry] }),
    verifications: new Counter({
      name: "eproof_verifications_total",
      help: "Verifications by verdict",
      labelNames: ["verdict", "input"],
      registers: [registry],
    }),
    outboxUnanchored: new Gauge({
      name: "eproof_outbox_unanchored_documents",
      help: "Documents accepted but not yet anchored",
      registers: [registry],
      async collect() {
        this.set(await unanchored());
      },
    }),
  };
}
