/** Conversions between e-Proof identifiers and their on-chain forms (see docs/design.md, Identifiers). */
import { encodeBytes32String } from "ethers";
import type { OnChainStatus } from "../../domain/verification-record.ts";
import { EProofError } from "../../errors.ts";
import type { Hex } from "../../ports.ts";

/** `DocumentStatus` enum order in DocumentRegistry.sol. */
export const ON_CHAIN_STATUSES: readonly OnChainStatus[] = ["ACTIVE", "SUSPENDED", "REVOKED", "SUPERSEDED"];

const ZERO_ID = `0x${"0".repeat(32)}`;

/** A department code or document type id as `bytes32` (`encodeBytes32String`). */
export function toBytes32String(value: string, what: string): Hex {
  if (value.length === 0) throw new EProofError("BAD_REQUEST", `The ${what} is empty.`);
  try {
    return encodeBytes32String(value) as Hex;
  } catch (cause) {
    throw new EProofError("BAD_REQUEST", `The ${what} "${value}" is longer than 31 bytes.`, { cause });
  }
}

/** A `bytes32` string back to text; "" for zero. */
export function fromBytes32String(value: string): string {
  // Same rule as ethers' decodeBytes32String (NUL-terminated UTF-8), without its per-call overhead.
  const bytes = Buffer.from(value.slice(2), "hex");
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}

/** A document id (32 lowercase hex chars) as `bytes16`. */
export function toDocumentIdBytes16(documentId: string): Hex {
  const hex = documentId.startsWith("0x") ? documentId.slice(2) : documentId;
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new EProofError("BAD_REQUEST", `The document id "${documentId}" is not 32 hex characters.`);
  }
  return `0x${hex.toLowerCase()}`;
}

/** A `bytes16` document id as 32 lowercase hex chars, or null when zero. */
export function fromDocumentIdBytes16(value: string): string | null {
  return value.toLowerCase() === ZERO_ID ? null : value.slice(2).toLowerCase();
}

/** A 32-byte hex value (root, key thumbprint). */
export function toBytes32(value: string, what: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new EProofError("BAD_REQUEST", `The ${what} "${value}" is not 32 bytes of hex.`);
  return value.toLowerCase() as Hex;
}

export function statusToIndex(status: OnChainStatus): number {
  const index = ON_CHAIN_STATUSES.indexOf(status);
  if (index < 0) throw new EProofError("BAD_REQUEST", `Unknown status "${String(status)}".`);
  return index;
}

export function statusFromIndex(index: bigint | number): OnChainStatus {
  const status = ON_CHAIN_STATUSES[Number(index)];
  if (status === undefined) throw new EProofError("INTERNAL", `The chain returned an unknown status ${String(index)}.`);
  return status;
}
