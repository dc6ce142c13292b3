/** Building a document for issuance (pure): header, NFC data, salts, hash and the claim to sign. */

import { normaliseJson } from "./canonical-json.ts";
import { type Claim, claimFromDocument, encodeClaim } from "./claim.ts";
import { computeDocumentHash } from "./document-hash.ts";
import { getDocumentType } from "./document-types.ts";
import { EProofError } from "./errors.ts";
import { type AnchorBlock, type DocumentHeader, type EProofDocument, type Hex, isDocumentId, type JsonValue, type SignatureBlock } from "./types.ts";

export interface PreparedDocument {
  header: DocumentHeader;
  data: Record<string, JsonValue>;
  salts: Record<string, string>;
  documentHash: Hex;
  claim: Claim;
  claimBytes: Uint8Array;
}

/** Header formats (docs/design.md, "Identifiers"): the claim carries them as bytes and whole seconds. */
const DEPARTMENT = /^[A-Z0-9-]{2,31}$/;
const ISSUED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Everything of a document but its signature: the header, the data in NFC, the salts, the document
 * hash and the claim to sign. `data` must already be valid for the type (validateDocumentData).
 */
export function prepareDocument(input: {
  type: string;
  data: Record<string, JsonValue>;
  issuer: string;
  /** ISO 8601 UTC at whole seconds, e.g. "2026-11-22T10:00:00Z". */
  issuedAt: string;
  /** 32 lowercase hex characters (16 random bytes). */
  id: string;
  salts: Record<string, string>;
}): PreparedDocument {
  const type = getDocumentType(input.type);
  if (!isDocumentId(input.id)) throw new EProofError("INVALID_DOCUMENT", "a document id is 32 lowercase hex characters");
  if (!DEPARTMENT.test(input.issuer)) throw new EProofError("INVALID_DOCUMENT", `"${input.issuer.slice(0, 40)}" is not a department code ([A-Z0-9-]{2,31})`);
  if (!ISSUED_AT.test(input.issuedAt) || Number.isNaN(Date.parse(input.issuedAt))) {
    throw new EProofError("INVALID_DOCUMENT", "issuedAt must be ISO 8601 UTC at whole seconds, e.g. 2026-11-22T10:00:00Z");
  }
  const header: DocumentHeader = { id: input.id, type: type.id, typeVersion: type.version, issuer: input.issuer, issuedAt: input.issuedAt };
  const data = normaliseJson(input.data) as Record<string, JsonValue>;
  const documentHash = computeDocumentHash({ header, data, salts: input.salts });
  const claim = claimFromDocument(header, data, documentHash);
  return { header, data, salts: input.salts, documentHash, claim, claimBytes: encodeClaim(claim) };
}

export function assembleDocument(prepared: PreparedDocument, signature: SignatureBlock, anchor?: AnchorBlock): EProofDocument {
  return {
    eproof: 1,
    header: prepared.header,
    data: prepared.data,
    salts: prepared.salts,
    signature,
    ...(anchor ? { anchor } : {}),
  };
}
