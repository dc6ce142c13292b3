/** Selective disclosure: a copy that withholds chosen fields and still verifies. */

import { fieldDigest } from "./document-hash.ts";
import { getDocumentType } from "./document-types.ts";
import { EProofError } from "./errors.ts";
import type { EProofDocument, Hex, JsonValue } from "./types.ts";

const HEADER_FIELDS = new Set(["id", "type", "typeVersion", "issuer", "issuedAt"]);

/**
 * A copy of `doc` without the fields named in `hide`: each moves to `hidden` as its field digest,
 * so the document hash (and so the signature and the anchor) stay the same. Header fields and the
 * type's key facts (claim fields) cannot be hidden.
 */
export function redactDocument(doc: EProofDocument, hide: string[]): EProofDocument {
  const type = getDocumentType(doc.header.type);
  // Null-prototype copies: a field named "__proto__" is a field like any other.
  const data: Record<string, JsonValue> = Object.assign(Object.create(null), doc.data);
  const salts: Record<string, string> = Object.assign(Object.create(null), doc.salts);
  const hidden: Record<string, Hex> = Object.assign(Object.create(null), doc.hidden);
  for (const name of new Set(hide)) {
    if (HEADER_FIELDS.has(name)) throw new EProofError("BAD_REQUEST", `"${name}" is a header field and cannot be hidden`);
    if (type.claimFields.includes(name)) throw new EProofError("BAD_REQUEST", `"${name}" is a key fact of a ${type.id} and cannot be hidden`);
    if (!Object.hasOwn(data, name)) throw new EProofError("BAD_REQUEST", `the document has no disclosed field "${name}"`);
    const salt = salts[name];
    if (typeof salt !== "string") throw new EProofError("INVALID_DOCUMENT", `field "${name}" has no salt`);
    hidden[name] = fieldDigest(name, data[name] as JsonValue, salt);
    delete data[name];
    delete salts[name];
  }
  return { ...doc, data: { ...data }, salts: { ...salts }, hidden: { ...hidden } };
}
