/**
 * What the ledger says about one document, read in ONE call
 * (`DocumentRegistry.verificationRecord(root, documentId, keyFingerprint)`).
 * Times are block times in unix seconds; 0 means "never" / "not set".
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
    reasonCode: number;
  };
  document: {
    status: OnChainStatus;
    reasonCode: number;
    changedAt: number;
    /** Successor document id (32 hex chars) when SUPERSEDED, else null. */
    successor: string | null;
  };
  department: { registered: boolean; suspended: boolean };
  typeGrant: { grantedAt: number; withdrawnAt: number };
  key: { registered: boolean; validFrom: number; validUntil: number; compromisedAt: number };
}
