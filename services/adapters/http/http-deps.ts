import type { Config } from "../../config.ts";
import type { Logger } from "../../logger.ts";
import type {
  ApiKeyRecords,
  AuditLog,
  Clock,
  CounterStore,
  DepartmentPolicies,
  DocumentStore,
  JwsChecker,
  Ledger,
  PdfReader,
  PdfRenderer,
  PublishedKeys,
  QrRenderer,
  Random,
  SignatureChecker,
  StatusHistory,
  Subscriptions,
} from "../../ports.ts";
import type { Administration } from "../../use-cases/administer.ts";
import type { StatusDeps } from "../../use-cases/change-status.ts";
import type { HealthReport } from "../../use-cases/check-health.ts";
import type { CredentialExporter } from "../../use-cases/credential-exports.ts";
import type { TrustAnchor } from "../../use-cases/document-files.ts";
import type { IssuanceDeps } from "../../use-cases/issue-documents.ts";
import type { WalletIssuance } from "../../use-cases/issue-to-wallet.ts";
import type { VerifyDeps } from "../../use-cases/verify-document.ts";
import type { Metrics } from "./metrics.ts";
import type { StatusListHttpDeps } from "./routes/status-list-routes.ts";
import type { ResolveHost } from "./webhook-destination.ts";

export type { HealthReport };

/** What the subscription routes need (mounted only when given). */
export interface WebhookHttpDeps {
  subscriptions: Subscriptions;
  /** The public key set that verifies notification JWSs. */
  jwks: () => { keys: Array<Record<string, string>> };
  /** Subscription ids. */
  random: Random;
  maxSubscriptionsPerKey?: number;
  /** Accept loopback/private destinations and plain http to localhost (EPROOF_WEBHOOK_ALLOW_PRIVATE); default false. */
  allowPrivateAddresses?: boolean;
  /** DNS, replaceable in tests. */
  resolveHost?: ResolveHost;
}

/** What the officer routes need beyond the public ones: the department keys live behind `issuance.signer`. */
export interface OfficerHttpDeps {
  issuance: IssuanceDeps;
  statusDeps: StatusDeps;
  /** Called after documents are accepted: wakes the anchoring worker. */
  onAccepted: () => void;
  /** The QR downloads and the QR in the PDF. */
  qr: QrRenderer;
  pdf: PdfRenderer;
  /** The SD-JWT VC and VC-JWT downloads (absent: those routes answer 404). */
  exports?: CredentialExporter;
}

/** What the OpenID4VCI routes need (an officer instance: the credential is signed with the department's key). */
export interface WalletHttpDeps {
  issuance: WalletIssuance;
  /** The offer's QR code. */
  qr: QrRenderer;
}

/** Everything the HTTP adapter needs, built once by main.ts. */
export interface HttpDeps {
  config: Pick<Config, "publicUrl" | "bodyLimitBytes" | "maxBatchItems" | "abuse" | "anchoring" | "metricsToken">;
  /** Documents and their status history (officer answers, verification), and the API keys callers present. */
  store: DocumentStore & StatusHistory & ApiKeyRecords;
  ledger: Ledger;
  /** The verify API's chain reads when they are cached per block (adapters/chain/block-pinned-reads.ts); else `ledger`. */
  verifyReads?: Pick<Ledger, "verificationRecord">;
  /** Where the verify API runs the chain-free checks (adapters/signing/verification-workers.ts); the event loop when absent. */
  chainFree?: VerifyDeps["chainFree"];
  trust: TrustAnchor;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  keys: PublishedKeys;
  /** ES256 verification for the verify API (e-Proof files and credential exports) and the public status. */
  signatures: SignatureChecker & JwsChecker;
  /** Reads the e-Proof file out of a PDF sent to the verify API. */
  pdfReader: PdfReader;
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
  /** OpenID4VCI issuance into wallets (routes/openid4vci-routes.ts); mounted only when given. */
  wallet?: WalletHttpDeps;
  /** Webhook subscriptions; their routes are mounted only when given. */
  webhooks?: WebhookHttpDeps;
  /** Rate-limit counters: shared by every instance on PostgreSQL, else in this process. */
  rateLimitCounters: CounterStore;
  /** The departments' status lists (issue 15), public on every instance; not mounted when absent. */
  statusLists?: StatusListHttpDeps;
}
