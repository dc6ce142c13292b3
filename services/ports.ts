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
