/**
 * What the ledger says about one document, read in ONE call
 * (`DocumentRegistry.verificationRecord(department, root, documentId, keyFingerprint)`: the batch the
 * document's own issuer anchored under that root, never anyone else's). Times are block times in unix
 * seconds; 0 means "never" / "not set". The chain holds no reason for a status change: reasons stay
 * in the department's store.
 */
export type OnChainStatus = "ACTIVE" | "SUSPENDED" | "REVOKED" | "SUPERSEDED";

export interface VerificationRecord {
  batch: {
    anchored: boolean;
    /** Department code, e.g. "DEMO" (decoded from bytes32). Empty when not anchored. */
    department: string;
    /** Document type id, e.g. "licence" (decoded from bytes32). Empty when not anchored. */
    docType: string;
    count: number;
    blockNumber: number;
    anchoredAt: number;
    status: OnChainStatus;
  };
  document: {
    status: OnChainStatus;
    changedAt: number;
    /** Successor document id (32 hex chars) when SUPERSEDED, else null. */
    successor: string | null;
  };
  department: { registered: boolean; suspended: boolean };
  typeGrant: { grantedAt: number; withdrawnAt: number };
  /** `registeredBlock`: the block of the key's registration; only batches anchored in a later block count for it. */
  key: { registered: boolean; validFrom: number; validUntil: number; compromisedAt: number; registeredBlock: number };
  /** The block this record is the state of, when the read was pinned to one (the service's verify reads). */
  readAt?: { blockNumber: number; blockHash: string };
}
