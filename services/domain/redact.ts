/** Selective disclosure: a copy that withholds chosen fields and still verifies. */
import { EProofError } from "../errors.ts";
import { fieldDigest } from "./document-hash.ts";
import { getDocumentType } from "./document-types.ts";
import type { EProofDocument, Hex, JsonValue } from "./types.ts";

export function redactDocument(doc: EProofDocument, hide: string[]): EProofDocument {
  const type = getDocumentType(doc.header.type);
  const data = { ...doc.data };
  const salts = { ...doc.salts };
  const hidden: Record<string, Hex> = { ...(doc.hidden ?? {}) };
  for (const name of hide) {
    if (type.claimFields.includes(name)) throw new EProofError("BAD_REQUEST", `"${name}" is a key fact of a ${type.id} and cannot be hidden`);
    if (!Object.hasOwn(data, name)) throw new EProofError("BAD_REQUEST", `the document has no disclosed field "${name}"`);
    hidden[name] = fieldDigest(name, data[name] as JsonValue, String(salts[name]));
    delete data[name];
    delete salts[name];
  }
  return { ...doc, data, salts, hidden };
}
