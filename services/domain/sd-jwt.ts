/**
 * SD-JWT (RFC 9901), the parts e-Proof needs: object-property disclosures with SHA-256 digests
 * (`_sd`, `_sd_alg: "sha-256"`), the compact form `<issuer JWT>~<disclosure>~…~[<KB-JWT>]`, and the
 * `sd_hash` a Key Binding JWT signs. Pure: salts are given by the caller (an e-Proof export uses each
 * field's e-Proof salt, so that a disclosure also reproduces the field's anchored digest), and the
 * JWS signatures are made and checked by adapters.
 */
import { EProofError } from "./errors.ts";
import { sha256Hex } from "./sha256.ts";
import { BASE64URL } from "./signature.ts";
import type { JsonValue } from "./types.ts";

export const SD_ALG = "sha-256";

/** One object-property disclosure: [salt, claim name, claim value]. */
export interface Disclosure {
  /** The disclosure as it travels: base64url of the UTF-8 JSON array. */
  encoded: string;
  salt: string;
  name: string;
  value: JsonValue;
}

function b64(text: string | Uint8Array): string {
  return Buffer.from(text).toString("base64url");
}

/** RFC 9901 §4.2.1: base64url(UTF-8(JSON array [salt, name, value])). */
export function encodeDisclosure(salt: string, name: string, value: JsonValue): Disclosure {
  return { encoded: b64(JSON.stringify([salt, name, value])), salt, name, value };
}

/** RFC 9901 §4.2.3: base64url(SHA-256(ASCII(disclosure))), the digest listed in `_sd`. */
export function disclosureDigest(encoded: string): string {
  return Buffer.from(sha256Hex(encoded), "hex").toString("base64url");
}

/** Reads one object-property disclosure; EProofError INVALID_DOCUMENT for anything else. */
export function decodeDisclosure(encoded: string): Disclosure {
  if (!BASE64URL.test(encoded) || encoded.length === 0) throw new EProofError("INVALID_DOCUMENT", "a disclosure is not base64url");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    throw new EProofError("INVALID_DOCUMENT", "a disclosure is not a JSON array");
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") {
    throw new EProofError("INVALID_DOCUMENT", "a disclosure is not [salt, name, value] (array-element disclosures are not used by e-Proof)");
  }
  const [salt, name, value] = parsed as [string, string, JsonValue];
  // RFC 9901 §7.1: these names may never be disclosed (they would shadow the structure itself).
  if (name === "_sd" || name === "..." || name === "_sd_alg") throw new EProofError("INVALID_DOCUMENT", `a disclosure may not name "${name}"`);
  return { encoded, salt, name, value };
}

/** The compact SD-JWT: issuer JWT, each disclosure, and the KB-JWT (empty without key binding). */
export function joinSdJwt(jwt: string, disclosures: string[], kbJwt = ""): string {
  return `${[jwt, ...disclosures].join("~")}~${kbJwt}`;
}

export interface SdJwtParts {
  jwt: string;
  disclosures: string[];
  /** The Key Binding JWT, or null when the SD-JWT ends in "~". */
  kbJwt: string | null;
  /** What the KB-JWT's sd_hash covers: everything before it, ending in "~". */
  presented: string;
}

/** Splits a compact SD-JWT (RFC 9901 §4); EProofError INVALID_DOCUMENT when it is not one. */
export function splitSdJwt(text: string): SdJwtParts {
  const parts = text.trim().split("~");
  if (parts.length < 2) throw new EProofError("INVALID_DOCUMENT", "an SD-JWT is <issuer JWT>~<disclosures>~ (no ~ found)");
  const jwt = parts[0] as string;
  const kb = parts[parts.length - 1] as string;
  const disclosures = parts.slice(1, -1);
  if (disclosures.some((d) => d.length === 0)) throw new EProofError("INVALID_DOCUMENT", "an SD-JWT holds an empty disclosure");
  if (new Set(disclosures).size !== disclosures.length) throw new EProofError("INVALID_DOCUMENT", "an SD-JWT repeats a disclosure");
  const presented = `${[jwt, ...disclosures].join("~")}~`;
  return { jwt, disclosures, kbJwt: kb === "" ? null : kb, presented };
}

/** `sd_hash` of a Key Binding JWT (RFC 9901 §4.3.1). */
export function sdHash(presented: string): string {
  return disclosureDigest(presented);
}

export interface CompactJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** The protected header and payload of a compact JWS with a JSON payload, unchecked (the signature is an adapter's). */
export function readCompactJwt(jwt: string): CompactJwt {
  const parts = jwt.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) throw new EProofError("INVALID_DOCUMENT", "not a compact JWS");
  const json = (part: string, what: string): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    } catch {
      throw new EProofError("INVALID_DOCUMENT", `the JWS ${what} is not JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new EProofError("INVALID_DOCUMENT", `the JWS ${what} is not a JSON object`);
    return value as Record<string, unknown>;
  };
  return { header: json(parts[0] as string, "header"), payload: json(parts[1] as string, "payload") };
}

/**
 * The disclosed claims of an SD-JWT payload with top-level disclosures only (what e-Proof issues),
 * and the names of disclosures whose digest the payload's `_sd` does not list (not signed by the
 * issuer: the caller reports them as tampering). A name disclosed twice, or clashing with a plain
 * claim, is an error (RFC 9901 §7.1), as is a payload without `_sd` or with another `_sd_alg`.
 */
export function disclosedClaims(payload: Record<string, unknown>, disclosures: Disclosure[]): { claims: Record<string, JsonValue>; unsigned: string[] } {
  if (payload._sd_alg !== SD_ALG) throw new EProofError("INVALID_DOCUMENT", `the SD-JWT's _sd_alg is not "${SD_ALG}"`);
  const listed = payload._sd;
  if (!Array.isArray(listed) || !listed.every((d) => typeof d === "string")) throw new EProofError("INVALID_DOCUMENT", "the SD-JWT lists no _sd digests");
  const digests = new Set(listed as string[]);
  if (digests.size !== listed.length) throw new EProofError("INVALID_DOCUMENT", "the SD-JWT lists a digest twice");
  const claims: Record<string, JsonValue> = Object.create(null);
  const unsigned: string[] = [];
  for (const disclosure of disclosures) {
    if (Object.hasOwn(payload, disclosure.name) || Object.hasOwn(claims, disclosure.name)) {
      throw new EProofError("INVALID_DOCUMENT", `the claim "${disclosure.name.slice(0, 40)}" is disclosed twice`);
    }
    if (!digests.has(disclosureDigest(disclosure.encoded))) unsigned.push(disclosure.name);
    claims[disclosure.name] = disclosure.value;
  }
  return { claims: { ...claims }, unsigned };
}
