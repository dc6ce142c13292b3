/**
 * Every interface the use cases (and the HTTP adapter) need from the outside world, grouped by kind
 * under a header naming the adapter folder that implements it. Adapters implement them; main.ts
 * wires them. Nothing here knows ethers, SQLite or Express.
 */
import type { Problem } from "./domain/errors.ts";
import type { BuiltDocument } from "./domain/issue-document.ts";
import type { MerkleTree } from "./domain/merkle.ts";
import type { EProofDocument, Hex, PublicJwk } from "./domain/types.ts";
import type { OnChainStatus, VerificationRecord } from "./domain/verification-record.ts";

export type { Hex };

// ---- The ledger: DocumentRegistry and IssuerRegistry on the chain (adapters/chain) -----------------

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

/** A batch as the chain records it under its department, with the transaction that anchored it. */
export interface AnchoredBatch extends TxReceipt {
  department: string;
  docType: string;
  count: number;
  /** The account that sent the anchoring (the BatchAnchored event's `anchorer`). */
  anchorer: Hex;
  /** Whether `anchorer` is one of this service's anchoring accounts for the department (current or earlier). */
  sentByUs: boolean;
}

/** A status change as sent to the chain: the status only. The reason stays in the department's store. */
export interface StatusChangeRequest {
  department: string;
  documentIds: string[];
  status: Exclude<OnChainStatus, "SUPERSEDED">;
  /** The registry the documents are anchored in (an earlier one after a registry move); default: the current one. */
  registry?: Hex;
}

export interface SupersedeRequest {
  department: string;
  documentId: string;
  successorId: string;
  /** The registry the superseded document is anchored in; default: the current one. */
  registry?: Hex;
}

/** What a verifier asks the ledger about one document: the record of the batch its OWN issuer anchored. */
export interface VerificationQuery {
  /** The DocumentRegistry the document names (one the verifier trusts); default: the current one. */
  registry?: Hex;
  /** The document's issuer (header.issuer): batches are recorded per department. */
  department: string;
  root: Hex;
  documentId: string;
  keyFingerprint: Hex;
}

/** The shared ledger (DocumentRegistry + IssuerRegistry on an EVM chain). */
export interface Ledger {
  /** Chain id and the current DocumentRegistry: the only one this service anchors into. */
  readonly chainId: number;
  readonly registryAddress: Hex;
  /** Anchors with the department's own anchoring account. */
  anchorBatch(request: AnchorRequest): Promise<TxReceipt>;
  /** The department's anchoring of `root`, if it is on chain (used to reconcile the outbox after a crash). */
  findAnchoredBatch(department: string, root: Hex): Promise<AnchoredBatch | null>;
  changeDocumentStatus(request: StatusChangeRequest): Promise<TxReceipt>;
  supersede(request: SupersedeRequest): Promise<TxReceipt>;
  /** Everything a verifier needs, in exactly one eth_call. Throws ChainUnavailableError when the chain cannot be read. */
  verificationRecord(query: VerificationQuery): Promise<VerificationRecord>;
}

// ---- Time, randomness, API-key secrets (adapters/random, adapters/http/api-key-secrets.ts) -----------

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface Random {
  bytes(length: number): Uint8Array;
}

/** API keys: a new secret for a caller, and the hash that is all the store keeps of it. */
export interface ApiKeys {
  /** A new secret API key (`ep_` + 32 random bytes, base64url). */
  newSecret(): string;
  /** The hash stored for a secret and looked up when a caller presents it. */
  hash(secret: string): string;
}

// ---- Documents, the anchoring outbox, status history, API keys, signing-key mirror, audit (adapters/store)

/** A document accepted for issuance: durable once `insertDocuments` resolves. */
export interface NewDocument {
  id: string;
  department: string;
  type: string;
  /** ISO 8601 issuance time (header.issuedAt). */
  issuedAt: string;
  /** Merkle leaf of the document hash. */
  leaf: Hex;
  /** The signed e-Proof file without its anchor, as JSON text or that text's UTF-8 bytes (as the issuance workers hand it over). */
  documentJson: string | Uint8Array;
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
export interface StoredDocument extends Omit<NewDocument, "idempotencyKey" | "documentJson"> {
  /** The signed e-Proof file without its anchor, as JSON text. */
  documentJson: string;
  batch: StoredBatch | null;
  /** The document's Merkle proof in its batch's tree (null before sealing), as StandardMerkleTree gives it. */
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
 * Builds a batch's whole Merkle tree (the domain's merkleTree), which the store keeps once with the
 * batch and reads each document's proof from.
 */
export type BatchTreeBuilder = (leaves: Hex[]) => MerkleTree;

/**
 * Accepted documents and the anchoring outbox (documents not yet in a batch, batches not yet
 * anchored). Async so that a networked database (PostgreSQL) can implement it as well as the
 * embedded SQLite.
 */
export interface DocumentStore {
  /**
   * All or nothing. Throws EProofError("DUPLICATE_REQUEST") when another request of the department
   * stored the same idempotency key first.
   */
  insertDocuments(documents: NewDocument[]): Promise<void>;
  findByIdempotencyKey(department: string, keys: string[]): Promise<Map<string, string>>;
  getDocument(id: string): Promise<StoredDocument | null>;
  /** Groups of accepted documents not yet in a batch, oldest first. */
  unbatchedGroups(): Promise<Array<{ department: string; type: string; count: number; oldestIssuedAt: string }>>;
  /**
   * Atomically takes up to `maxSize` unbatched documents of one department and type, lets `buildTree`
   * build the tree of their leaves, and records the batch as SEALED with its tree and each document's
   * place in it (from which getDocument gives the document's merkleProof).
   */
  sealBatch(department: string, type: string, maxSize: number, buildTree: BatchTreeBuilder): Promise<StoredBatch | null>;
  /** Batches SEALED or SENT: to be (re)sent or reconciled. */
  unfinishedBatches(): Promise<StoredBatch[]>;
  /** Anchored batches, newest first (for reconciliation against a chain that lost state). */
  recentAnchoredBatches(limit: number): Promise<StoredBatch[]>;
  markBatchSent(batchId: number): Promise<void>;
  markBatchAnchored(batchId: number, receipt: TxReceipt): Promise<void>;
  /** A batch whose anchoring the chain no longer knows (its state was rolled back): back to SEALED. */
  markBatchLost(batchId: number): Promise<void>;
  countUnanchored(): Promise<number>;
}

/** Each document's status changes with their reasons (which never go on chain), and its current status. */
export interface StatusHistory {
  /** Records the changes and sets each document's current status, all or nothing. */
  recordStatusChanges(changes: StatusChangeRecord[]): Promise<void>;
  statusHistory(documentId: string): Promise<StatusChangeRecord[]>;
}

/** The API keys callers present (their hashes only, see ApiKeys) and what each may do. */
export interface ApiKeyRecords {
  insertApiKey(key: ApiKeyRecord, keyHash: string): Promise<void>;
  findApiKey(keyHash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<Array<ApiKeyRecord & { createdAt: string }>>;
  /** Returns false when there is no such key. Revocation is final. */
  revokeApiKey(id: string): Promise<boolean>;
}

/** The mirror of the chain's signing keys that /.well-known/jwks.json publishes (the chain is the authority for windows). */
export interface SigningKeyMirror {
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  signingKeys(): Promise<SigningKeyRecord[]>;
  /** Sets a key's validUntil / compromisedAt. */
  updateSigningKeyWindow(kid: string, window: { validUntil?: string; compromisedAt?: string }): Promise<void>;
}

// ---- Signing and key custody (adapters/signing) ----------------------------------------------------

/** ES256 verification and key thumbprints (adapters/signing/es256.ts): the verifier's platform crypto. */
export interface SignatureChecker {
  /** Checks a compact JWS with exactly the e-Proof header against a public key; never throws for bad input. */
  verifyJws(jws: unknown, jwk: unknown): Promise<{ ok: true; kid: string; claimBytes: Uint8Array } | { ok: false; reason: string }>;
  /** RFC 7638 SHA-256 thumbprint of a public JWK, as registered on chain. */
  thumbprint(jwk: PublicJwk): Promise<Hex>;
}

/**
 * ES256 verification of any compact JWS (credential exports, Key Binding JWTs): the header must
 * say `alg: "ES256"`; whatever else it holds is the caller's to judge. Never throws for bad input.
 */
export interface JwsChecker {
  verifyCompactJws(jws: string, jwk: unknown): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** A department's current document-signing key (ES256). Private keys never leave the adapter. */
export interface DocumentSigner {
  /** Signs a claim for `department`; throws EProofError("FORBIDDEN") when it has no signing key here. */
  sign(department: string, claimBytes: Uint8Array): Promise<{ jws: string; jwk: Record<string, string> }>;
}

/**
 * Validates, builds and signs the documents of one issuance request with the department's current
 * signing key, on every core (adapters/signing/issuance-workers.ts): the key's state is checked for
 * each slice of the request as it starts, so a key retired or reported compromised meanwhile signs
 * no further slice (the request then fails whole: EProofError("FORBIDDEN")).
 */
export interface DocumentBuilder {
  build(request: {
    department: string;
    type: string;
    /** ISO 8601 UTC at whole seconds. */
    issuedAt: string;
    items: readonly unknown[];
    /** Per item: false for a replay, only validated. */
    build: readonly boolean[];
  }): Promise<{ problems: Problem[]; documents: Array<(Omit<BuiltDocument, "documentJson"> & { documentJson: string | Uint8Array }) | undefined> }>;
}

/**
 * Signs other JOSE objects with a department's current document-signing key: the credential exports
 * (SD-JWT VC, VC-JWT), the status lists and OpenID4VCI answers. The adapter sets `alg: "ES256"` and
 * `kid` in the protected header; the caller gives the rest (`typ`, …). Throws like DocumentSigner.sign.
 */
export interface JoseSigner {
  signJws(department: string, header: Record<string, unknown>, payload: Uint8Array): Promise<{ jws: string; kid: string; jwk: Record<string, string> }>;
}

/**
 * A stored document's place in its department's status lists (issue 15): the same index in the
 * Token Status List and in the Bitstring Status List credentials. Indexes are assigned at random at
 * issuance; the URLs are built by services/domain/status-list-location.ts.
 */
export interface StatusListEntry {
  department: string;
  /** Which of the department's lists (0, 1, …): each holds STATUS_LIST_SIZE entries. */
  list: number;
  /** Index in that list, 0 … STATUS_LIST_SIZE - 1. */
  index: number;
}

export interface StatusListPositions {
  /** Where a stored document's status is published; null when it has no entry (unknown document). */
  entryOf(documentId: string): Promise<StatusListEntry | null>;
}

/**
 * The status lists' records in the shared store (issue 15): each department's entries (a document's
 * ordinal, list and index, given right after issuance or on first need: see use-cases/publish-status-lists.ts), and the lists as
 * last signed, so that an instance without private keys (the public role) serves what an officer
 * instance signed.
 */
export interface StatusListRecords {
  /** The document's entry, or null when it has none yet. */
  statusListEntry(documentId: string): Promise<StatusListEntry | null>;
  /**
   * Gives the document its department's next ordinal and the place `place` computes from it (with the
   * department's secret, created as `newSecret` on the department's first entry), in one transaction;
   * answers the entry it already had, if any; null for an unknown document. Places are unique per
   * (department, list, index) in the store.
   */
  allocateStatusListEntry(
    documentId: string,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<StatusListEntry | null>;
  /**
   * Gives places to up to `limit` documents after seq `afterSeq` that have none, in seq order (the
   * bulk placement right after issuance): each department's next ordinals, one transaction per
   * department, the same counter and `place` as allocateStatusListEntry, so that two instances doing
   * it at once (or one export asking at the same time) never give one document two places nor one
   * place twice. Answers how many it placed, how many documents without a place it looked at (fewer
   * than `limit`: none were left after them at the time of the look) and the highest seq it looked at
   * (null: none left).
   */
  placeDocumentsWithoutEntry(
    afterSeq: number,
    limit: number,
    newSecret: string,
    place: (ordinal: number, secret: string) => { list: number; index: number },
  ): Promise<{ placed: number; looked: number; lastSeq: number | null }>;
  /** How many ordinals the department has handed out (0: it has no list yet). */
  statusListOrdinals(department: string): Promise<number>;
  /** The departments that have entries, with their ordinal counts. */
  statusListDepartments(): Promise<Array<{ department: string; ordinals: number }>>;
  /**
   * The department's ordinal count, and a version that changes whenever a document's status, the
   * department's entries or the key custody change (read it BEFORE the marks it vouches for: a change
   * that lands in between then shows as a change next time).
   */
  statusListVersion(department: string): Promise<{ ordinals: number; version: string }>;
  /** The entries of one list whose document is not ACTIVE. */
  statusListMarks(department: string, list: number): Promise<Array<{ index: number; status: OnChainStatus }>>;
  /** The signed list last stored for (department, list, format), or null. */
  publishedStatusList(department: string, list: number, format: string): Promise<PublishedStatusList | null>;
  savePublishedStatusList(published: PublishedStatusList): Promise<void>;
}

export interface PublishedStatusList {
  department: string;
  list: number;
  /** "token" (statuslist+jwt) or a Bitstring purpose ("revocation", "suspension"). */
  format: string;
  /** The compact JWS. */
  jws: string;
  /** statusListVersion() when it was built. */
  version: string;
  /** Unix seconds: when it was signed, and when it expires. */
  issuedAt: number;
  expiresAt: number;
}

/**
 * The credential exports of a stored document (issue 15), signed with the department's current key.
 * OpenID4VCI's credential endpoint asks for the SD-JWT VC bound to the wallet's key.
 */
export interface CredentialExports {
  /**
   * The document's SD-JWT VC (RFC 9901 compact form with every disclosure, ending in "~"); with
   * `holderJwk` it carries `cnf.jwk` (key binding). EProofError NOT_FOUND for an unknown document.
   */
  sdJwtVc(documentId: string, options?: { holderJwk?: Record<string, unknown> }): Promise<string>;
}

// ---- OpenID4VCI: offers, codes, tokens and nonces of wallet issuance (adapters/store) -------------

/**
 * A credential offer for one document. Only hashes of its secrets are stored: the pre-authorized
 * code, the transaction code (hashed together with the code, so six digits cannot be tried against
 * the database alone) and, once redeemed, the access token.
 */
export interface NewCredentialOffer {
  id: string;
  documentId: string;
  department: string;
  configurationId: string;
  codeHash: string;
  /** Null when no transaction code is asked for. */
  txCodeHash: string | null;
  /** The officer's API key id (the audit's actor). */
  createdBy: string;
  createdAt: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type CredentialOfferState = "OFFERED" | "REDEEMED" | "LOCKED";

export interface StoredCredentialOffer extends NewCredentialOffer {
  state: CredentialOfferState;
  txFailures: number;
}

/** What redeeming a pre-authorized code came to: at most one caller ever gets "redeemed" for an offer. */
export type OfferRedemption =
  | { outcome: "redeemed"; offer: StoredCredentialOffer }
  | { outcome: "unknown" }
  | { outcome: "expired" | "used" | "locked"; offer: StoredCredentialOffer }
  | { outcome: "wrong-tx-code"; offer: StoredCredentialOffer; locked: boolean };

/** An access token of the credential endpoint (its hash), for one document. */
export interface WalletAccessToken {
  tokenHash: string;
  offerId: string;
  documentId: string;
  department: string;
  configurationId: string;
  createdBy: string;
  expiresAt: number;
}

/** The state of wallet issuance in the shared database: every instance sees the same offers, tokens and nonces. */
export interface CredentialOfferRecords {
  createOffer(offer: NewCredentialOffer): Promise<void>;
  /**
   * Redeems the offer with code hash `codeHash` at `now` (ms), atomically: OFFERED, not expired, and
   * the transaction code right (when it has one) → REDEEMED. A wrong code counts a failure; the
   * `maxTxFailures`-th locks the offer for good.
   */
  redeemOffer(codeHash: string, txCodeHash: string | null, now: number, maxTxFailures: number): Promise<OfferRedemption>;
  insertAccessToken(token: WalletAccessToken): Promise<void>;
  /** The token with this hash when it has not expired at `now`, else null. */
  findAccessToken(tokenHash: string, now: number): Promise<WalletAccessToken | null>;
  /** Stores a c_nonce (its hash) until `expiresAt`; expired ones are cleared on the way. */
  insertNonce(nonceHash: string, now: number, expiresAt: number): Promise<void>;
  /** Uses up the nonce: true for exactly one caller, and only before it expires. */
  consumeNonce(nonceHash: string, now: number): Promise<boolean>;
}

/** Checks a wallet's proof JWT signature against the public key in its own header (adapters/signing). */
export interface ProofJwtVerifier {
  /** The decoded header and payload when the compact JWS verifies with `header.jwk` (ES256); null otherwise. Never throws. */
  verify(jwt: unknown): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> } | null>;
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

// ---- Webhooks: the chain follower's events, subscriptions and deliveries ---------------------------

/** A status change as the chain recorded it (DocumentRegistry events), whoever sent it. No reason: the chain holds none. */
export type ChainStatusEvent =
  | {
      kind: "DOCUMENT_STATUS";
      /** The DocumentRegistry that recorded it. */
      registry: Hex;
      department: string;
      documentId: string;
      status: OnChainStatus;
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
      registry: Hex;
      root: Hex;
      /** The batch's department (from the event) and type, read from the registry ("" when the chain no longer knows the batch). */
      department: string;
      docType: string;
      status: OnChainStatus;
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

/** POSTs one notification (adapters/http/webhook-transport.ts); resolves with the HTTP status, rejects when no answer came. */
export interface WebhookTransport {
  post(url: string, body: string, headers: Record<string, string>): Promise<number>;
}

/**
 * Checks a webhook receiver's URL before it is stored (adapters/http: https, a public address, no
 * credentials) and returns it normalised; throws EProofError("BAD_REQUEST") saying what is wrong.
 */
export type WebhookUrlCheck = (raw: string) => Promise<string>;

/** Signs a notification payload as a compact JWS (adapters/signing/notification-key.ts). */
export interface NotificationSigner {
  sign(payload: object): Promise<string>;
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

// ---- Key custody rows (adapters/signing over adapters/store) ---------------------------------------

/** A department's document-signing key as key custody reports it (the private part never leaves the adapter). */
export interface CustodySigningKey {
  department: string;
  kid: string;
  keyNumber: number;
  publicJwk: Record<string, string>;
  state: "ACTIVE" | "RETIRED" | "COMPROMISED";
}

/** A department's EVM anchoring account as key custody reports it (its private key is for adapters only). */
export interface CustodyAnchoringAccount {
  department: string;
  number: number;
  address: Hex;
  state: "ACTIVE" | "RETIRED";
}

/**
 * Custody of every department's private keys (document-signing keys and anchoring accounts), shared
 * by every instance of the service: a change made through one instance is used by all of them.
 */
export interface PreparedSigningKey {
  publicJwk: Record<string, string>;
  commit(): Promise<CustodySigningKey>;
}

export interface KeyCustody extends DocumentSigner, JoseSigner {
  /** The department's newest signing key (whatever its state), or undefined. */
  currentSigningKey(department: string): Promise<CustodySigningKey | undefined>;
  /** Generates the department's next signing key (number > every number ever used, and > floor) and makes it current. */
  createSigningKey(department: string, floor?: number): Promise<CustodySigningKey>;
  /**
   * A new signing key held in memory only, not yet in custody: `commit()` stores it and makes it the
   * department's current key. The administrator registers it on chain in between, so no instance
   * ever signs with (or refuses issuance for) a key the chain does not know yet.
   */
  prepareSigningKey(department: string, floor?: number): Promise<PreparedSigningKey>;
  setSigningKeyState(kid: string, state: "RETIRED" | "COMPROMISED"): Promise<void>;
  signingKeys(department?: string): Promise<CustodySigningKey[]>;
  /** The department's current anchoring account, or undefined. */
  currentAnchoringAccount(department: string): Promise<CustodyAnchoringAccount | undefined>;
  createAnchoringAccount(department: string): Promise<CustodyAnchoringAccount>;
  anchoringAccounts(department?: string): Promise<CustodyAnchoringAccount[]>;
  /** Every change made through any instance so far is visible after this resolves. */
  refresh(): Promise<void>;
}

export type CustodyKeyKind = "SIGNING" | "ANCHORING";
export type CustodyKeyState = "ACTIVE" | "RETIRED" | "COMPROMISED";

/** Which key a custody row holds: also the additional data its sealed private part is bound to. */
export interface CustodyKeyIdentity {
  kind: CustodyKeyKind;
  department: string;
  number: number;
}

export interface NewCustodyKey extends CustodyKeyIdentity {
  /** SIGNING: the public JWK as JSON; ANCHORING: the account address. */
  publicPart: string;
  /** The private part, sealed by the custody adapter (AES-256-GCM); never plaintext. */
  sealed: string;
  state: CustodyKeyState;
  createdAt: string;
}

export interface StoredCustodyKey extends NewCustodyKey {
  /** The custody version at which this row was last written (see CustodyRecords.custodyVersion). */
  version: number;
}

/**
 * The rows of key custody, in the shared database. Every write moves one counter, the custody
 * version, in the same transaction, so instances notice a change by reading one number.
 */
export interface CustodyRecords {
  /** Inserts a key; "taken" (and nothing written) when (kind, department, number) already exists. */
  insertCustodyKey(key: NewCustodyKey): Promise<"inserted" | "taken">;
  /** Every row, or those written after version `sinceVersion`, in version order. */
  custodyKeys(sinceVersion?: number): Promise<StoredCustodyKey[]>;
  /** Changes a key's state; COMPROMISED is final. False when there is no such key or nothing changed. */
  setCustodyKeyState(identity: CustodyKeyIdentity, state: CustodyKeyState): Promise<boolean>;
  /** The version of the latest write (0 before any): it only grows. */
  custodyVersion(): Promise<number>;
}

/**
 * A department's publication policy: which reason codes (services/domain/reason-codes.ts) the public
 * verify answer may name. None by default: a reason about a person is published only where the
 * department decided it is not personal (e.g. "surrendered by the holder").
 */
export interface DepartmentPolicies {
  publishableReasonCodes(department: string): Promise<number[]>;
  setPublishableReasonCodes(department: string, codes: number[]): Promise<void>;
}

// ---- Files a holder is given: QR code and PDF (adapters/qr, adapters/pdf) --------------------------

/** The QR code image of a verify link (the link itself is built in domain/qr-payload.ts). */
export interface QrRenderer {
  png(url: string): Promise<Uint8Array>;
  svg(url: string): Promise<string>;
}

/** A department's name in both official languages. */
export interface BilingualName {
  en: string;
  zhHK: string;
}

/** The printable PDF of an e-Proof document, with the e-Proof file embedded in it. */
export interface PdfRenderer {
  documentPdf(document: EProofDocument, qrPng: Uint8Array, department: BilingualName): Promise<Uint8Array>;
}

/** Reads back the e-Proof file embedded in a PDF. Throws EProofError("INVALID_PDF") when there is none. */
export interface PdfReader {
  extractEProofJson(pdf: Uint8Array): Promise<string>;
}

// ---- Published keys, health, rate limits (read by the HTTP adapter) -------------------------------

/** The signing keys as /.well-known/jwks.json publishes them (adapters/signing/key-directory.ts). */
export interface PublishedKeys {
  /** Public JWK of a signing key by kid ("DEMO-1"), or undefined if unknown. */
  publicKey(kid: string): Promise<Record<string, string> | undefined>;
  jwks(): Promise<{ keys: Array<Record<string, unknown>> }>;
}

/** What the health check asks the chain (adapters/chain): one probe, both answers or a failure. */
export interface ChainProbe {
  /** The chain id and current block number the node reports; rejects when it does not answer within a few seconds. */
  probe(): Promise<{ chainId: number; blockNumber: number }>;
  /** Each configured JSON-RPC endpoint as last seen (URLs without credentials). */
  endpointHealth(): Array<{ url: string; healthy: boolean; lastError?: string }>;
}

export interface CounterHits {
  hits: number;
  /** When the window ends (ms since the epoch). */
  resetAt: number;
}

/** The counters behind the per-client rate limits: in memory, or shared by every instance (PostgreSQL). */
export interface CounterStore {
  /** Counts one hit of `key`; a key whose window has ended starts a new one of `windowMs`. */
  increment(key: string, windowMs: number): Promise<CounterHits>;
  /** The hits of `key` in its current window; undefined when it has none. */
  get(key: string): Promise<CounterHits | undefined>;
  /** Takes one hit of `key` back (never below zero). */
  decrement(key: string): Promise<void>;
  resetKey(key: string): Promise<void>;
  close?(): Promise<void>;
}
