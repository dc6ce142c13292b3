/**
 * Rows of the store's tables as both dialects return them, mapped to the ports' records once: the
 * columns are the same in SQLite and PostgreSQL; only their types differ (BIGINT and COUNT come back
 * from PostgreSQL as strings, BOOLEAN from SQLite as 0/1), which Number() and toFlag() even out.
 */
import { MERKLE_NODE_BYTES } from "../../domain/merkle.ts";
import { merkleProofLength } from "../../domain/merkle-chunks.ts";
import type { OnChainStatus } from "../../domain/verification-record.ts";
import type {
  ApiKeyRecord,
  ApiKeyRole,
  CustodyKeyKind,
  CustodyKeyState,
  Hex,
  SigningKeyRecord,
  StatusChangeRecord,
  StoredAuditEntry,
  StoredBatch,
  StoredCustodyKey,
  StoredDocument,
} from "../../ports.ts";

export type Row = Record<string, unknown>;

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
/** A BOOLEAN column: true/false from PostgreSQL, 1/0 from SQLite. */
const toFlag = (value: unknown): boolean => value === true || Number(value) === 1;

export function toBatch(row: Row): StoredBatch {
  return {
    id: Number(row.id),
    department: String(row.department),
    type: String(row.type),
    root: row.root as Hex,
    count: Number(row.count),
    state: row.state as StoredBatch["state"],
    txHash: text(row.tx_hash) as Hex | null,
    blockNumber: numberOrNull(row.block_number),
    blockTime: numberOrNull(row.block_time),
  };
}

/**
 * A sealed document's proof: the nodes getDocument's query cut out of its batch's tree (`proof`, their
 * hex one after another), checked for their number, or, for a document sealed before trees were kept,
 * the proof stored with it as JSON.
 */
function merkleProofOf(row: Row): Hex[] | null {
  if (row.merkle_proof !== null && row.merkle_proof !== undefined) return JSON.parse(String(row.merkle_proof)) as Hex[];
  if (row.batch_slot === null || row.batch_slot === undefined || row.b_id === null) return null;
  const nodes = String(row.proof ?? "").toLowerCase();
  const slot = Number(row.batch_slot);
  const expected = merkleProofLength(slot, Number(row.count));
  if (nodes.length !== expected * 2 * MERKLE_NODE_BYTES) {
    throw new Error(`the tree of batch ${String(row.b_id)} gave ${nodes.length / 64} of the ${expected} nodes of slot ${slot}'s proof: chunks are missing`);
  }
  return Array.from({ length: expected }, (_, i) => `0x${nodes.slice(i * 64, (i + 1) * 64)}` as Hex);
}

/** A row of getDocument's query (sql-store.ts): the document, its file, its batch's columns (b_*) if it has one, and its proof's chunks. */
export function toStoredDocument(row: Row): StoredDocument {
  return {
    id: String(row.id),
    department: String(row.department),
    type: String(row.type),
    issuedAt: String(row.issued_at),
    leaf: row.leaf as Hex,
    documentJson: String(row.json),
    batch: row.b_id === null ? null : toBatch({ ...row, id: row.b_id, department: row.b_department, type: row.b_type }),
    merkleProof: merkleProofOf(row),
    status: {
      status: row.status as OnChainStatus,
      reason: text(row.status_reason),
      reasonCode: Number(row.status_reason_code),
      changedAt: text(row.status_changed_at),
      successor: text(row.successor),
    },
  };
}

export function toStatusChange(row: Row): StatusChangeRecord {
  return {
    documentId: String(row.document_id),
    status: row.status as OnChainStatus,
    reason: String(row.reason),
    reasonCode: Number(row.reason_code),
    successor: text(row.successor),
    actor: String(row.actor),
    txHash: row.tx_hash as Hex,
    changedAt: String(row.changed_at),
  };
}

/** A stored role column as the port's union; anything unknown (never written by this code) is the least privileged officer. */
export function apiKeyRole(stored: unknown): ApiKeyRole {
  return stored === "admin" || stored === "relying-party" ? stored : "officer";
}

export function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    department: String(row.department),
    label: String(row.label),
    types: JSON.parse(String(row.types)) as string[],
    revoked: toFlag(row.revoked),
    role: apiKeyRole(row.role),
  };
}

export function toSigningKey(row: Row): SigningKeyRecord {
  return {
    department: String(row.department),
    kid: String(row.kid),
    keyNumber: Number(row.key_number),
    thumbprint: row.thumbprint as Hex,
    publicJwk: JSON.parse(String(row.public_jwk)) as Record<string, string>,
    validFrom: String(row.valid_from),
    validUntil: text(row.valid_until),
    compromisedAt: text(row.compromised_at),
  };
}

export function toAuditEntry(row: Row): StoredAuditEntry {
  return {
    seq: Number(row.seq),
    at: String(row.at),
    actor: String(row.actor),
    role: apiKeyRole(row.role),
    action: String(row.action),
    department: text(row.department),
    documentId: text(row.document_id),
    details: JSON.parse(String(row.details)) as StoredAuditEntry["details"],
  };
}

export function toCustodyKey(row: Row): StoredCustodyKey {
  return {
    kind: row.kind as CustodyKeyKind,
    department: String(row.department),
    number: Number(row.key_number),
    publicPart: String(row.public_part),
    sealed: String(row.sealed),
    state: row.state as CustodyKeyState,
    createdAt: String(row.created_at),
    version: Number(row.version),
  };
}

/** The stored JSON list of publishable reason codes (department_policies); anything unreadable publishes nothing. */
export function reasonCodesOf(stored: string): number[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((code): code is number => Number.isInteger(code)) : [];
  } catch {
    return [];
  }
}
