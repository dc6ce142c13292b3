/** Building a document for issuance (pure): header, NFC data, salts, hash and the claim to sign. */

import { normaliseJson } from "./canonical-json.ts";
import { type Claim, claimFromDocument, encodeClaim } from "./claim.ts";
import { computeDocumentHash } from "./document-hash.ts";
import { getDocumentType } from "./document-types.ts";
import type { AnchorBlock, DocumentHeader, EProofDocument, Hex, JsonValue, SignatureBlock } from "./types.ts";

export interface PreparedDocument {
  header: DocumentHeader;
  data: Record<string, JsonValue>;
  salts: Record<string, string>;
  documentHash: Hex;
  claim: Claim;
  claimBytes: Uint8Array;
}

export function prepareDocument(input: {
  type: string;
  data: Record<string, JsonValue>;
  issuer: string;
  issuedAt: string;
  id: string;
  salts: Record<string, string>;
}): PreparedDocument {
  const type = getDocumentType(input.type);
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
