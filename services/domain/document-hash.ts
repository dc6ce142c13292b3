/**
 * Field digests and the document hash. Each field is hashed with its own random salt, so a field
 * can be withheld (its digest stands in for it) and a guessed value cannot be confirmed.
 */

import { canonicalFieldJson, canonicalJson } from "./canonical-json.ts";
import { EProofError } from "./errors.ts";
import { keccak256 } from "./keccak.ts";
import type { DocumentHeader, Hex, JsonValue } from "./types.ts";

const SALT = /^[0-9a-f]{32}$/;
const DIGEST = /^0x[0-9a-f]{64}$/;

/**
 * keccak256 of canonicalJson({ n: name, s: salt, v: value }). The three keys are ASCII and already in
 * JCS order, so the object is written directly (the hot path of issuance and verification: one per
 * field); the value itself goes through canonicalJson as before.
 */
export function fieldDigest(name: string, value: JsonValue, salt: string): Hex {
  if (value === undefined) return keccak256(canonicalJson({ n: name, s: salt, v: value }));
  return keccak256(canonicalFieldJson(name, salt, value));
}

/** keccak256 of canonicalJson({ header: { id, type, typeVersion, issuer, issuedAt }, fields: digests }), written in JCS key order. */
export function documentHash(header: DocumentHeader, digests: Record<string, Hex>): Hex {
  const { id, type, typeVersion, issuer, issuedAt } = header;
  return keccak256(`{"fields":${canonicalJson(digests)},"header":${canonicalJson({ id, type, typeVersion, issuer, issuedAt })}}`);
}

/** The hash of a (possibly redacted) document; throws INVALID_DOCUMENT when its parts do not fit together. */
export function computeDocumentHash(doc: {
  header: DocumentHeader;
  data: Record<string, JsonValue>;
  salts: Record<string, string>;
  hidden?: Record<string, Hex> | undefined;
}): Hex {
  // No prototype: a field named "__proto__" (an own key in parsed JSON) must be hashed like any other.
  const digests: Record<string, Hex> = Object.create(null);
  for (const [name, value] of Object.entries(doc.data)) {
    const salt = doc.salts[name];
    if (typeof salt !== "string" || !SALT.test(salt)) {
      throw new EProofError("INVALID_DOCUMENT", `field "${name}" has no valid salt (32 lowercase hex characters)`);
    }
    digests[name] = fieldDigest(name, value, salt);
  }
  for (const [name, digest] of Object.entries(doc.hidden ?? {})) {
    if (name in digests) throw new EProofError("INVALID_DOCUMENT", `field "${name}" is both disclosed and hidden`);
    if (typeof digest !== "string" || !DIGEST.test(digest)) throw new EProofError("INVALID_DOCUMENT", `hidden field "${name}" has no valid digest`);
    digests[name] = digest;
  }
  for (const name of Object.keys(doc.salts)) {
    if (!Object.hasOwn(doc.data, name)) throw new EProofError("INVALID_DOCUMENT", `salt for "${name}", which is not a disclosed field`);
  }
  return documentHash(doc.header, digests);
}

export function makeSalts(fieldNames: string[], random: (length: number) => Uint8Array): Record<string, string> {
  return Object.fromEntries(fieldNames.map((name) => [name, Buffer.from(random(16)).toString("hex")]));
}
