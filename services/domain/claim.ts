/**
 * The claim: what the department signs and what the QR code carries (docs/design.md, "The claim").
 * CBOR array [1, id(16 bytes), type, typeVersion, issuer, issuedAt (unix s), documentHash (32 bytes),
 * facts]. The bytes travel verbatim, so the encoding need not be canonical.
 */
import { decode, encode } from "cbor-x";
import { getDocumentType } from "./document-types.ts";
import { EProofError } from "./errors.ts";
import type { DocumentHeader, Hex, JsonValue } from "./types.ts";

export interface Claim {
  id: string;
  type: string;
  typeVersion: number;
  issuer: string;
  issuedAt: number;
  documentHash: Hex;
  facts: Record<string, JsonValue>;
}

const CLAIM_FORMAT = 1;

export function encodeClaim(claim: Claim): Uint8Array {
  return encode([
    CLAIM_FORMAT,
    Buffer.from(claim.id, "hex"),
    claim.type,
    claim.typeVersion,
    claim.issuer,
    claim.issuedAt,
    Buffer.from(claim.documentHash.slice(2), "hex"),
    claim.facts,
  ]);
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 8) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as object).every((v) => isJson(v, depth + 1));
  }
  return false;
}

export function decodeClaim(bytes: Uint8Array): Claim {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch {
    throw new EProofError("INVALID_CLAIM", "the claim is not valid CBOR");
  }
  if (!Array.isArray(value) || value.length !== 8) throw new EProofError("INVALID_CLAIM", "the claim must be an array of 8 items");
  const [format, id, type, typeVersion, issuer, issuedAt, hash, facts] = value as unknown[];
  if (format !== CLAIM_FORMAT) throw new EProofError("INVALID_CLAIM", `unknown claim format ${String(format)}`);
  if (!isBytes(id, 16)) throw new EProofError("INVALID_CLAIM", "the claim's id must be 16 bytes");
  if (typeof type !== "string" || typeof issuer !== "string" || !/^[A-Z0-9-]{2,31}$/.test(issuer)) {
    throw new EProofError("INVALID_CLAIM", "the claim's type or issuer is malformed");
  }
  if (!Number.isSafeInteger(typeVersion) || !Number.isSafeInteger(issuedAt) || (issuedAt as number) < 0) {
    throw new EProofError("INVALID_CLAIM", "the claim's version or issue time is malformed");
  }
  if (!isBytes(hash, 32)) throw new EProofError("INVALID_CLAIM", "the claim's document hash must be 32 bytes");
  if (typeof facts !== "object" || facts === null || Array.isArray(facts) || !isJson(facts)) {
    throw new EProofError("INVALID_CLAIM", "the claim's facts must be a JSON object");
  }
  return {
    id: Buffer.from(id).toString("hex"),
    type,
    typeVersion: typeVersion as number,
    issuer,
    issuedAt: issuedAt as number,
    documentHash: `0x${Buffer.from(hash).toString("hex")}`,
    facts: facts as Record<string, JsonValue>,
  };
}

export function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export function claimFromDocument(header: DocumentHeader, data: Record<string, JsonValue>, documentHash: Hex): Claim {
  const type = getDocumentType(header.type);
  const facts: Record<string, JsonValue> = {};
  for (const field of type.claimFields) {
    const value = data[field];
    if (value !== undefined) facts[field] = value;
  }
  return {
    id: header.id,
    type: header.type,
    typeVersion: header.typeVersion,
    issuer: header.issuer,
    issuedAt: unixSeconds(header.issuedAt),
    documentHash,
    facts,
  };
}
