/**
 * The interfaces the use cases need from the outside world. Adapters implement them;
 * main.ts wires them. Nothing here knows ethers, SQLite or Express.
 */
import type { OnChainStatus, VerificationRecord } from "./domain/verification-record.ts";

export type Hex = `0x${string}`;

export interface AnchorRequest {
  department: string;
  docType: string;
  root: Hex;
  count: number;
}

export interface TxReceipt {
  txHash: Hex;
  blockNumber: number;
  /** Block time, unix seconds: the trusted clock. */
  blockTime: number;
}

export interface StatusChangeRequest {
  department: string;
  documentIds: string[];
  status: Exclude<OnChainStatus, "SUPERSEDED">;
  reasonCode: number;
}

export interface SupersedeRequest {
  department: string;
  documentId: string;
  successorId: string;
  reasonCode: number;
}

/** The shared ledger (DocumentRegistry + IssuerRegistry on an EVM chain). */
export interface Ledger {
  /** Chain id and DocumentRegistry address that documents anchored here name. */
  readonly chainId: number;
  readonly registryAddress: Hex;
  anchorBatch(request: AnchorRequest): Promise<TxReceipt>;
  /** The anchoring of `root`, if it is on chain (used to reconcile the outbox after a crash). */
  findAnchoredBatch(root: Hex): Promise<TxReceipt | null>;
  changeDocumentStatus(request: StatusChangeRequest): Promise<TxReceipt>;
  supersede(request: SupersedeRequest): Promise<TxReceipt>;
  /** Everything a verifier needs, in exactly one eth_call. Throws ChainUnavailableError when the chain cannot be read. */
  verificationRecord(query: { root: Hex; documentId: string; keyFingerprint: Hex }): Promise<VerificationRecord>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface Random {
  bytes(length: number): Uint8Array;
}

/** A document accepted for issuance: durable once `insertDocuments` resolves. */
export interface NewDocument {
  id: string;
  department: string;
  type: string;
  /** ISO 8601 issuance time (header.issuedAt). */
  issuedAt: string;
  /** Merkle leaf of the document hash. */
  leaf: Hex;
  /** The signed e-Proof file without its anchor, as JSON text. */
  documentJson: string;
  /** Caller-chosen key that makes a retried issuance return the first result. */
  idempotencyKey?: string;
}

export type BatchState = "SEALED" | "SENT" | "ANCHORED";

export interface StoredBatch {
  id: number;
  department: string;
  type: string;
  root: Hex;
  count: number;
  state: BatchState;
  txHash: Hex | null;
  blockNumber: number | null;
  blockTime: number | null;
}

/** An accepted document as the store returns it: what was inserted, plus its batch and status. */
export interface StoredDocument extends Omit<NewDocument, "idempotencyKey"> {
  batch: StoredBatch | null;
  merkleProof: Hex[] | null;
  status: { status: OnChainStatus; reason: string | null; reasonCode: number; changedAt: string | null; successor: string | null };
}

export interface StatusChangeRecord {
  documentId: string;
  status: OnChainStatus;
  reason: string;
  reasonCode: number;
  successor: string | null;
  actor: string;
  txHash: Hex;
  changedAt: string;
}

/**
 * "officer": issues and changes statuses for one department; "admin": the platform administrator (no
 * department); "relying-party": a bank, employer or agency that only subscribes to status changes (no department).
 */
export type ApiKeyRole = "officer" | "admin" | "relying-party";

export interface ApiKeyRecord {
  id: string;
  /** The officer's department; "*" for an admin or relying-party key. */
  department: string;
  label: string;
  /** Document types this key may issue; empty = all granted to the department. */
  types: string[];
  revoked: boolean;
  /** Absent on keys stored before roles existed: those are officer keys. */
  role?: ApiKeyRole;
}

export interface SigningKeyRecord {
  department: string;
  kid: string;
  keyNumber: number;
  thumbprint: Hex;
  publicJwk: Record<string, string>;
  validFrom: string;
  validUntil: string | null;
  compromisedAt: string | null;
}

/**
 * Durable storage: documents, the anchoring outbox (documents not yet in a batch, and batches not
 * yet anchored), status history, API keys and signing-key metadata. Async so that a networked
 * database (PostgreSQL) can implement it as well as the embedded SQLite.
 */
export interface Store {
  insertDocuments(documents: NewDocument[]): Promise<void>;
  findByIdempotencyKey(department: string, keys: string[]): Promise<Map<string, string>>;
  getDocument(id: string): Promise<StoredDocument | null>;
  /** Groups of accepted documents not yet in a batch, oldest first. */
  unbatchedGroups(): Promise<Array<{ department: string; type: string; count: number; oldestIssuedAt: string }>>;
  /**
   * Atomically takes up to `maxSize` unbatched documents of one department and type, lets `buildTree`
   * compute the root and proofs of their leaves, and records the batch as SEALED with each proof.
   */
  sealBatch(department: string, type: string, maxSize: number, buildTree: (leaves: Hex[]) => { root: Hex; proofs: Hex[][] }): Promise<StoredBatch | null>;
  /** Batches SEALED or SENT: to be (re)sent or reconciled. */
  unfinishedBatches(): Promise<StoredBatch[]>;
  /** Anchored batches, newest first (for reconciliation against a chain that lost state). */
  recentAnchoredBatches(limit: number): Promise<StoredBatch[]>;
  markBatchSent(batchId: number): Promise<void>;
  markBatchAnchored(batchId: number, receipt: TxReceipt): Promise<void>;
  /** A batch whose anchoring the chain no longer knows (its state was rolled back): back to SEALED. */
  markBatchLost(batchId: number): Promise<void>;
  countUnanchored(): Promise<number>;
  recordStatusChanges(changes: StatusChangeRecord[]): Promise<void>;
  statusHistory(documentId: string): Promise<StatusChangeRecord[]>;
  insertApiKey(key: ApiKeyRecord, keyHash: string): Promise<void>;
  findApiKey(keyHash: string): Promise<ApiKeyRecord | null>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  signingKeys(): Promise<SigningKeyRecord[]>;
  close(): Promise<void>;
}

/** A department's current document-signing key (ES256). Private keys never leave the adapter. */
export interface DocumentSigner {
  /** Signs a claim for `department`; throws EProofError("FORBIDDEN") when it has no signing key here. */
  sign(department: string, claimBytes: Uint8Array): Promise<{ jws: string; jwk: Record<string, string> }>;
}

/** Administration of API keys and of the signing-key mirror (the chain is the authority for windows). */
export interface AdminRecords {
  listApiKeys(): Promise<Array<ApiKeyRecord & { createdAt: string }>>;
  /** Returns false when there is no such key. Revocation is final. */
  revokeApiKey(id: string): Promise<boolean>;
  /** Sets a key's validUntil / compromisedAt in the mirror that /.well-known/jwks.json publishes. */
  updateSigningKeyWindow(kid: string, window: { validUntil?: string; compromisedAt?: string }): Promise<void>;
}

/** One officer or administrator action. Never holds holder personal data: ids, codes and reasons only. */
export interface AuditEntry {
  /** API key id of whoever acted ("cli" style ids are key ids too). */
  actor: string;
  role: ApiKeyRole;
  /** Dotted action name, e.g. "document.issue", "department.suspend", "key.rotate". */
  action: string;
  department: string | null;
  documentId: string | null;
  /** Small non-personal details (type, kid, thumbprint, tx hash, reason code). */
  details: Record<string, string | number | boolean | null>;
}

export interface StoredAuditEntry extends AuditEntry {
  seq: number;
  at: string;
}

export interface AuditFilter {
  department?: string;
  actor?: string;
  action?: string;
  documentId?: string;
  /** Entries with seq greater than this (paging). */
  after?: number;
  limit?: number;
}

/** Append-only audit log: there is deliberately no update or delete. */
export interface AuditLog {
  append(entries: AuditEntry[]): Promise<void>;
  list(filter: AuditFilter): Promise<StoredAuditEntry[]>;
}

/**
 * Governance writes on the IssuerRegistry (the platform administrator's account). Times are unix
 * seconds of block time.
 */
export interface IssuerGovernance {
  registerDepartment(code: string, name: { en: string; zhHK: string }): Promise<TxReceipt>;
  setDepartmentSuspended(code: string, suspended: boolean): Promise<TxReceipt>;
  grantDocumentType(code: string, type: string, schemaHash: Hex): Promise<TxReceipt>;
  withdrawDocumentType(code: string, type: string): Promise<TxReceipt>;
  registerSigningKey(code: string, thumbprint: Hex, validFrom: number, validUntil?: number): Promise<TxReceipt>;
  retireSigningKey(code: string, thumbprint: Hex, validUntil: number): Promise<TxReceipt>;
  markKeyCompromised(code: string, thumbprint: Hex, at: number): Promise<TxReceipt>;
  addAnchorer(code: string, account: string): Promise<TxReceipt>;
  removeAnchorer(code: string, account: string): Promise<TxReceipt>;
  department(code: string): Promise<{ code: string; name: { en: string; zhHK: string }; status: "ACTIVE" | "SUSPENDED"; registeredAt: number } | null>;
  /** Every registered department. */
  departments(): Promise<Array<{ code: string; name: { en: string; zhHK: string } }>>;
  documentTypes(code: string): Promise<Array<{ type: string; schemaHash: Hex; grantedAt: number; withdrawnAt: number }>>;
  signingKeys(code: string): Promise<Array<{ thumbprint: Hex; validFrom: number; validUntil: number; compromisedAt: number }>>;
  anchorers(code: string): Promise<string[]>;
  /** Time of the latest block: the trusted clock for key windows. */
  chainTime(): Promise<number>;
}

/** Refuses issuance the ledger would refuse anyway (suspended department, type not granted, unusable key). */
export interface IssuanceGate {
  /** Throws EProofError("FORBIDDEN") with the reason. */
  assertMayIssue(department: string, type: string): Promise<void>;
}

/**
 * Mutual exclusion between service instances that share one database: who anchors which batch, and
 * who may send from an anchoring account right now. A lock dies with the instance that holds it.
 */
export interface Locks {
  /** Runs `work` once no other holder has `name`, waiting for it. */
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Runs `work` only if `name` is free now; null (and `work` not run) when someone else holds it. */
  tryWithLock<T>(name: string, work: () => Promise<T>): Promise<{ value: T } | null>;
}

/** A status change as the chain recorded it (DocumentRegistry events), whoever sent it. */
export type ChainStatusEvent =
  | {
      kind: "DOCUMENT_STATUS";
      department: string;
      documentId: string;
      status: OnChainStatus;
      reasonCode: number;
      /** Set when `status` is SUPERSEDED. */
      successor: string | null;
      txHash: Hex;
      logIndex: number;
      blockNumber: number;
      /** Block time, unix seconds. */
      blockTime: number;
    }
  | {
      kind: "BATCH_STATUS";
      root: Hex;
      /** The batch's department and type, read from the registry ("" when the chain no longer knows the batch). */
      department: string;
      docType: string;
      status: OnChainStatus;
      reasonCode: number;
      txHash: Hex;
      logIndex: number;
      blockNumber: number;
      blockTime: number;
    };

/** Reads DocumentRegistry status events, block range by block range (the follower's view of the chain). */
export interface ChainEvents {
  latestBlock(): Promise<number>;
  /** Status events in blocks `from`..`to` inclusive, in chain order. */
  statusEvents(from: number, to: number): Promise<ChainStatusEvent[]>;
}

/** A relying party's webhook: by document ids, or by a department's document type. */
export interface SubscriptionRecord {
  id: string;
  /** The API key that registered it (only that key lists or deletes it). */
  owner: string;
  url: string;
  documentIds: string[];
  department: string | null;
  docType: string | null;
  createdAt: string;
}

export type DeliveryState = "PENDING" | "DELIVERED" | "FAILED";

export interface NewDelivery {
  /** Stable across retries and instances: the receiver deduplicates on it. */
  id: string;
  subscriptionId: string;
  /** `<txHash>:<logIndex>`: one chain event. */
  eventId: string;
  url: string;
  /** The notification body (compact JWS), signed once when queued. */
  body: string;
}

export interface DeliveryAttempt {
  at: string;
  httpStatus: number | null;
  error: string | null;
  ms: number;
}

export interface DeliveryRecord extends NewDelivery {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  log: DeliveryAttempt[];
}

/**
 * Webhook subscriptions, their durable delivery queue and log, and the chain follower's cursor.
 * A port of its own (not part of Store) so that each database adapter can add it separately.
 */
export interface Subscriptions {
  createSubscription(subscription: SubscriptionRecord): Promise<void>;
  subscriptionsOf(owner: string): Promise<SubscriptionRecord[]>;
  getSubscription(id: string): Promise<SubscriptionRecord | null>;
  /** True when `owner` had subscription `id` (its pending deliveries are dropped with it). */
  deleteSubscription(owner: string, id: string): Promise<boolean>;
  /** Subscriptions that name `documentId`, or `department` + `docType`. */
  matchingSubscriptions(event: { documentIds: string[]; department: string; docType: string | null }): Promise<SubscriptionRecord[]>;
  /** Queues deliveries; one already queued for the same (subscription, event) is kept, not duplicated. Returns how many are new. */
  enqueueDeliveries(deliveries: NewDelivery[]): Promise<number>;
  /** Takes up to `limit` deliveries due at `now` (ms), leasing them for `leaseMs` so no other worker sends them meanwhile. */
  claimDueDeliveries(now: number, limit: number, leaseMs: number): Promise<DeliveryRecord[]>;
  /** Records one attempt; `nextAttemptAt` null ends the delivery (DELIVERED when ok, else FAILED). */
  recordDeliveryAttempt(id: string, attempt: DeliveryAttempt & { ok: boolean; nextAttemptAt: number | null }): Promise<void>;
  deliveriesOf(subscriptionId: string): Promise<DeliveryRecord[]>;
  /** The last block fully processed by the chain follower for `key` (chain id + registry), or null. */
  chainCursor(key: string): Promise<number | null>;
  saveChainCursor(key: string, block: number): Promise<void>;
  close(): Promise<void>;
}
