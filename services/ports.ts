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

export interface ApiKeyRecord {
  id: string;
  department: string;
  label: string;
  /** Document types this key may issue; empty = all granted to the department. */
  types: string[];
  revoked: boolean;
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
