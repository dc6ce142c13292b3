import type { Config } from "../../config.ts";
import type { Logger } from "../../logger.ts";
import type { AuditLog, Clock, DepartmentPolicies, Ledger, Store } from "../../ports.ts";
import type { Administration } from "../../use-cases/administer.ts";
import type { StatusDeps } from "../../use-cases/change-status.ts";
import type { TrustAnchor } from "../../use-cases/document-files.ts";
import type { IssuanceDeps } from "../../use-cases/issue-documents.ts";
import type { KeyDirectory } from "../signing/key-directory.ts";
import type { CounterStore } from "./counter-store.ts";
import type { Metrics } from "./metrics.ts";
import type { WebhookHttpDeps } from "./routes/subscription-routes.ts";

export interface HealthReport {
  status: "ok" | "degraded";
  chain: {
    reachable: boolean;
    chainId: number;
    /** False when the node answers with another chain id than the configured one. */
    chainIdMatches?: boolean;
    blockNumber?: number;
    error?: string;
    /** Each configured JSON-RPC endpoint as last seen (URLs without credentials). */
    endpoints?: Array<{ url: string; healthy: boolean; lastError?: string }>;
  };
  database: { reachable: boolean; error?: string };
  outbox: { unanchored: number };
}

/** What the officer routes need beyond the public ones: the department keys live behind `issuance.signer`. */
export interface OfficerHttpDeps {
  issuance: IssuanceDeps;
  statusDeps: StatusDeps;
  /** Called after documents are accepted: wakes the anchoring worker. */
  onAccepted: () => void;
}

/** Everything the HTTP adapter needs, built once by main.ts. */
export interface HttpDeps {
  config: Pick<Config, "publicUrl" | "bodyLimitBytes" | "maxBatchItems" | "abuse">;
  store: Store;
  ledger: Ledger;
  trust: TrustAnchor;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  keys: KeyDirectory;
  departmentName: (code: string) => { en: string; zhHK: string };
  /** A verification met a batch the store believes anchored that the chain does not know: reconcile now. */
  onAnchorMissing?: () => void;
  health: () => Promise<HealthReport>;
  /** Which reason codes each department publishes in verify answers (none when absent). */
  policies?: Pick<DepartmentPolicies, "publishableReasonCodes">;
  /** Officer and admin actions are appended here (absent: no audit, no admin API). */
  audit?: AuditLog;
  /** The officer role (issuance, status changes, downloads); absent on an instance without it: its routes are not mounted. */
  officer?: OfficerHttpDeps;
  /** The admin role (the platform administrator's API); absent when this instance holds no governance account. */
  admin?: { administration: Administration };
  /** Webhook subscriptions; their routes are mounted only when given. */
  webhooks?: WebhookHttpDeps;
  /** Rate-limit counters shared by every instance (PostgreSQL); absent: in memory, per process. */
  rateLimitCounters?: CounterStore;
}
