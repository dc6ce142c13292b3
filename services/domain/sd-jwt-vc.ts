/**
 * The SD-JWT VC of an e-Proof document (draft-ietf-oauth-sd-jwt-vc, SD-JWT per RFC 9901), and reading
 * one back for verification. Every data field is one top-level disclosure whose salt is the field's
 * e-Proof salt, so a disclosed [salt, name, value] reproduces the field digest of the anchored
 * document (document-hash.ts). Always disclosed: `eproof_id`, `document_hash` and `eproof` (the
 * header, every field digest, the anchor), so that a verifier can rebuild the document hash from
 * any subset of disclosures and check it on chain. docs/standards.md has the whole mapping.
 */

import { type ExportInput, hongKongCalendarDate, type PresentedExport, validityInstants } from "./credential-export.ts";
import { issuerUrl, vctUrl } from "./credential-locations.ts";
import { computeDocumentHash, fieldDigest } from "./document-hash.ts";
import { EProofError } from "./errors.ts";
import { type CompactJwt, decodeDisclosure, disclosedClaims, disclosureDigest, encodeDisclosure, SD_ALG } from "./sd-jwt.ts";
import { tokenStatusListUri } from "./status-list-location.ts";
import type { AnchorBlock, EProofDocument, Hex, JsonValue, PublicJwk } from "./types.ts";

export const SD_JWT_VC_TYP = "dc+sd-jwt";
export const SD_JWT_VC_MEDIA_TYPE = "application/dc+sd-jwt";

/** Claims of the issuer-signed payload that are never selectively disclosable (and so never data field names). */
const PLAIN_CLAIMS = new Set([
  "iss",
  "iat",
  "nbf",
  "exp",
  "vct",
  "vct#integrity",
  "cnf",
  "status",
  "sub",
  "_sd",
  "_sd_alg",
  "eproof_id",
  "document_hash",
  "eproof",
]);

export interface SdJwtVcParts {
  header: Record<string, JsonValue>;
  payload: Record<string, JsonValue>;
  /** Encoded disclosures, one per data field, in the document's field order. */
  disclosures: string[];
}

/** The header, payload and disclosures of `doc`'s SD-JWT VC (to be signed by the department's key). */
export function sdJwtVcParts(doc: EProofDocument & { anchor: AnchorBlock }, input: ExportInput & { holderJwk?: Record<string, unknown> }): SdJwtVcParts {
  const { header, data, salts } = doc;
  const fieldDigests: Record<string, Hex> = {};
  const disclosures: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (PLAIN_CLAIMS.has(name)) throw new EProofError("INVALID_DOCUMENT", `the field "${name}" would clash with an SD-JWT VC claim`);
    const salt = salts[name];
    if (typeof salt !== "string") throw new EProofError("INVALID_DOCUMENT", `field "${name}" has no salt`);
    fieldDigests[name] = fieldDigest(name, value, salt);
    disclosures.push(encodeDisclosure(salt, name, value).encoded);
  }
  for (const [name, digest] of Object.entries(doc.hidden ?? {})) fieldDigests[name] = digest;
  const window = validityInstants(data);
  const { id, type, typeVersion, issuer, issuedAt } = header;
  const payload: Record<string, JsonValue> = {
    iss: issuerUrl(input.publicUrl, issuer),
    vct: vctUrl(input.publicUrl, type, typeVersion),
    iat: input.issuedAt,
    ...(window ? { nbf: window.notBefore, exp: window.expires } : {}),
    eproof_id: id,
    document_hash: computeDocumentHash(doc),
    eproof: { header: { id, type, typeVersion, issuer, issuedAt }, fieldDigests, anchor: { ...doc.anchor } },
    ...(input.status ? { status: { status_list: { idx: input.status.index, uri: tokenStatusListUri(input.publicUrl, issuer, input.status.list) } } } : {}),
    ...(input.holderJwk ? { cnf: { jwk: input.holderJwk as Record<string, JsonValue> } } : {}),
    // Sorted, so the order says nothing about which digest belongs to which field (RFC 9901 §4.2.4.1).
    _sd: disclosures.map(disclosureDigest).sort(),
    _sd_alg: SD_ALG,
  };
  return { header: { typ: SD_JWT_VC_TYP, jwk: input.jwk }, payload, disclosures };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new EProofError("INVALID_DOCUMENT", `the SD-JWT VC's ${what} is not an object`);
  return value as Record<string, unknown>;
}

/**
 * An SD-JWT VC (or a presentation of part of it) read back into e-Proof parts: the disclosed fields
 * with their salts, the withheld ones as their field digests. Checks the structure and that every
 * disclosure is one the issuer signed; the signatures and the hashes are judged by the caller
 * (verify-export.ts, export-checks.ts). EProofError INVALID_DOCUMENT when it is not an e-Proof SD-JWT VC.
 */
export function readSdJwtVc(jwt: CompactJwt, jws: string, encodedDisclosures: string[]): PresentedExport & { cnf: Record<string, unknown> | null } {
  const { header, payload } = jwt;
  if (header.typ !== SD_JWT_VC_TYP) throw new EProofError("INVALID_DOCUMENT", `the SD-JWT's typ is not "${SD_JWT_VC_TYP}"`);
  if (header.alg !== "ES256" || typeof header.kid !== "string") throw new EProofError("INVALID_DOCUMENT", "the SD-JWT VC is not signed with ES256 under a kid");
  const jwk = object(header.jwk, "header jwk") as PublicJwk;
  const eproof = object(payload.eproof, "eproof claim");
  const documentHeader = object(eproof.header, "eproof.header");
  const fieldDigests = object(eproof.fieldDigests, "eproof.fieldDigests");
  const disclosures = encodedDisclosures.map(decodeDisclosure);
  const { claims: disclosed, unsigned } = disclosedClaims(payload, disclosures);
  const data: Record<string, JsonValue> = Object.create(null);
  const salts: Record<string, string> = Object.create(null);
  const hidden: Record<string, Hex> = Object.create(null);
  for (const { salt, name, value } of disclosures) {
    if (!Object.hasOwn(fieldDigests, name))
      throw new EProofError("INVALID_DOCUMENT", `the disclosed claim "${name.slice(0, 40)}" is not a field of the document`);
    data[name] = value;
    salts[name] = salt;
  }
  for (const [name, digest] of Object.entries(fieldDigests)) {
    if (!Object.hasOwn(disclosed, name)) hidden[name] = digest as Hex;
  }
  if (payload.eproof_id !== documentHeader.id) throw new EProofError("INVALID_DOCUMENT", "the SD-JWT VC's eproof_id is not the id of its e-Proof header");
  const iat = payload.iat;
  if (!Number.isSafeInteger(iat)) throw new EProofError("INVALID_DOCUMENT", "the SD-JWT VC has no iat");
  const nbf = payload.nbf;
  const exp = payload.exp;
  const window =
    Number.isSafeInteger(nbf) && Number.isSafeInteger(exp)
      ? { validFrom: hongKongCalendarDate(nbf as number), validUntil: hongKongCalendarDate((exp as number) - 1) }
      : null;
  return {
    format: "sd-jwt-vc",
    header: documentHeader as unknown as PresentedExport["header"],
    data: { ...data },
    salts: { ...salts },
    hidden: { ...hidden },
    documentHash: typeof payload.document_hash === "string" ? payload.document_hash : "",
    anchor: eproof.anchor === undefined ? undefined : (object(eproof.anchor, "eproof.anchor") as unknown as AnchorBlock),
    issuerUrl: typeof payload.iss === "string" ? payload.iss : "",
    jws,
    kid: header.kid,
    jwk,
    exportedAt: iat as number,
    window,
    unsignedDisclosures: unsigned,
    cnf: payload.cnf === undefined ? null : object(payload.cnf, "cnf"),
  };
}
