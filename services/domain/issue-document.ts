/** Building a document for issuance (pure): header, NFC data, salts, hash and the claim to sign. */

import { normaliseJson } from "./canonical-json.ts";
import { type Claim, claimFromDocument, encodeClaim } from "./claim.ts";
import { computeDocumentHash, makeSalts } from "./document-hash.ts";
import { getDocumentType, validateDocumentData } from "./document-types.ts";
import { EProofError, type Problem } from "./errors.ts";
import { merkleLeaf } from "./merkle.ts";
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

/** A signed document as the outbox stores it: its id, Merkle leaf and file (without anchor) as JSON text. */
export interface BuiltDocument {
  id: string;
  leaf: Hex;
  documentJson: string;
}

/** The stored form of a prepared document once signed: JSON.stringify'd once, here. */
export function builtDocument(prepared: PreparedDocument, signature: SignatureBlock): BuiltDocument {
  return { id: prepared.header.id, leaf: merkleLeaf(prepared.documentHash), documentJson: JSON.stringify(assembleDocument(prepared, signature)) };
}

/** What prepareItems and validateItems are given: a slice of an issuance request. */
export interface IssuanceSlice {
  type: string;
  issuer: string;
  issuedAt: string;
  items: readonly unknown[];
  build: readonly boolean[];
  first: number;
  /** True when the whole request is one item (its problems then carry no "items[i]" prefix). */
  single: boolean;
  random: (length: number) => Uint8Array;
}

/**
 * Validation of a slice of an issuance request: every item is validated (problems carry the item's
 * index in the whole request, `first` being the index of items[0]), and each valid item's data is given.
 */
export function validateItems(input: Omit<IssuanceSlice, "random">): { problems: Problem[]; valid: Array<Record<string, JsonValue> | undefined> } {
  const problems: Problem[] = [];
  const valid: Array<Record<string, JsonValue> | undefined> = [];
  input.items.forEach((item, i) => {
    const result = validateDocumentData(input.type, item);
    if (result.ok) valid.push(result.data);
    else {
      valid.push(undefined);
      const prefix = input.single ? "" : `items[${input.first + i}]`;
      for (const p of result.problems) problems.push({ path: [prefix, p.path].filter(Boolean).join("."), message: p.message });
    }
  });
  return { problems, valid };
}

/** One valid item prepared with a fresh id and salts from `random`. */
export function prepareItem(input: Pick<IssuanceSlice, "type" | "issuer" | "issuedAt" | "random">, data: Record<string, JsonValue>): PreparedDocument {
  const id = Buffer.from(input.random(16)).toString("hex");
  return prepareDocument({ type: input.type, data, issuer: input.issuer, issuedAt: input.issuedAt, id, salts: makeSalts(Object.keys(data), input.random) });
}

/**
 * Validation and preparation of a slice of an issuance request (validateItems, then prepareItem for
 * the items with `build[i]` true). Nothing is prepared when any item of the slice has a problem.
 */
export function prepareItems(input: IssuanceSlice): { problems: Problem[]; prepared: Array<PreparedDocument | undefined> } {
  const { problems, valid } = validateItems(input);
  if (problems.length > 0) return { problems, prepared: [] };
  return { problems, prepared: valid.map((data, i) => (data && input.build[i] ? prepareItem(input, data) : undefined)) };
}
