/**
 * The W3C VC 2.0 credential of an e-Proof document, secured as a JWT (VC-JOSE-COSE: the payload is
 * the credential, `typ: vc+jwt`), and reading one back for verification. The credential carries the
 * whole document (no selective disclosure: present the SD-JWT VC for that) and, as `evidence`, the
 * e-Proof parts a verifier needs to rebuild the document hash and check it on chain: the header,
 * the field salts, the document hash and the anchor. docs/standards.md has the whole mapping.
 */

import { type ExportInput, hongKongCalendarDate, type PresentedExport, validityInstants } from "./credential-export.ts";
import { credentialTypeName, eproofContextUrl, issuerUrl, schemaUrl } from "./credential-locations.ts";
import { computeDocumentHash } from "./document-hash.ts";
import { getDocumentType } from "./document-types.ts";
import { EProofError } from "./errors.ts";
import type { CompactJwt } from "./sd-jwt.ts";
import { bitstringStatusListUri } from "./status-list-location.ts";
import type { AnchorBlock, EProofDocument, Hex, JsonValue, PublicJwk } from "./types.ts";

export const VC_JWT_TYP = "vc+jwt";
export const VC_JWT_MEDIA_TYPE = "application/vc+jwt";
export const VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2";
/** The `type` of the evidence entry that links a credential to its e-Proof anchor. */
export const ANCHOR_EVIDENCE_TYPE = "EProofLedgerAnchor";

/** The ISO 8601 instant (Hong Kong offset) of unix seconds. */
function hongKongTimestamp(seconds: number): string {
  return `${new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 19)}+08:00`;
}

/** The header and payload (the credential, plus `iat`) of `doc`'s VC-JWT (to be signed by the department's key). */
export function vcJwtParts(
  doc: EProofDocument & { anchor: AnchorBlock },
  input: ExportInput,
): { header: Record<string, JsonValue>; payload: Record<string, JsonValue> } {
  const { header, data, salts } = doc;
  const type = getDocumentType(header.type);
  const window = validityInstants(data);
  const issuer = issuerUrl(input.publicUrl, header.issuer);
  const status = input.status;
  const entry = (purpose: "revocation" | "suspension"): Record<string, JsonValue> => {
    const list = bitstringStatusListUri(input.publicUrl, header.issuer, (status as { list: number }).list, purpose);
    const index = String((status as { index: number }).index);
    return { id: `${list}#${index}`, type: "BitstringStatusListEntry", statusPurpose: purpose, statusListIndex: index, statusListCredential: list };
  };
  const { id, typeVersion, issuedAt } = header;
  const payload: Record<string, JsonValue> = {
    "@context": [VC_V2_CONTEXT, eproofContextUrl(input.publicUrl)],
    id: `urn:eproof:${id}`,
    type: ["VerifiableCredential", credentialTypeName(header.type)],
    issuer,
    // The issuance time, not the export's (iat): the credential was issued when the e-Proof was.
    ...(window ? { validFrom: hongKongTimestamp(window.notBefore), validUntil: hongKongTimestamp(window.expires - 1) } : { validFrom: issuedAt }),
    credentialSubject: { ...data },
    credentialSchema: { id: schemaUrl(input.publicUrl, type.id, type.version), type: "JsonSchema", schemaHash: type.schemaHash },
    ...(status ? { credentialStatus: [entry("revocation"), entry("suspension")] } : {}),
    evidence: [
      {
        type: [ANCHOR_EVIDENCE_TYPE],
        eproofId: id,
        documentHash: computeDocumentHash(doc),
        chainId: doc.anchor.chainId,
        registry: doc.anchor.registry,
        merkleRoot: doc.anchor.root,
        merkleProof: [...doc.anchor.proof],
        txHash: doc.anchor.txHash,
        blockNumber: doc.anchor.blockNumber,
        documentHeader: { id, type: header.type, typeVersion, issuer: header.issuer, issuedAt },
        fieldSalts: { ...salts },
      },
    ],
    iat: input.issuedAt,
  };
  return { header: { typ: VC_JWT_TYP, jwk: input.jwk }, payload };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new EProofError("INVALID_DOCUMENT", `the credential's ${what} is not an object`);
  return value as Record<string, unknown>;
}

/** VC 2.0 `issuer`: a URL, or an object whose `id` is one. */
function issuerIdOf(issuer: unknown): string {
  if (typeof issuer === "string") return issuer;
  const id = (issuer as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : "";
}

/** A VC-JWT read back into e-Proof parts; EProofError INVALID_DOCUMENT when it is not an e-Proof VC 2.0 credential. */
export function readVcJwt(jwt: CompactJwt, jws: string): PresentedExport {
  const { header, payload } = jwt;
  if (header.typ !== VC_JWT_TYP) throw new EProofError("INVALID_DOCUMENT", `the JWT's typ is not "${VC_JWT_TYP}"`);
  if (header.alg !== "ES256" || typeof header.kid !== "string") throw new EProofError("INVALID_DOCUMENT", "the VC-JWT is not signed with ES256 under a kid");
  const context = payload["@context"];
  if (!Array.isArray(context) || context[0] !== VC_V2_CONTEXT)
    throw new EProofError("INVALID_DOCUMENT", `the credential's first @context is not ${VC_V2_CONTEXT}`);
  const evidence = Array.isArray(payload.evidence)
    ? (payload.evidence as unknown[]).find((e) => {
        const t = (e as { type?: unknown } | null)?.type;
        return Array.isArray(t) ? t.includes(ANCHOR_EVIDENCE_TYPE) : t === ANCHOR_EVIDENCE_TYPE;
      })
    : undefined;
  const anchor = object(evidence, `${ANCHOR_EVIDENCE_TYPE} evidence`);
  const documentHeader = object(anchor.documentHeader, "evidence documentHeader") as unknown as PresentedExport["header"];
  if (anchor.eproofId !== documentHeader.id) throw new EProofError("INVALID_DOCUMENT", "the evidence's eproofId is not the id of its e-Proof header");
  const type = payload.type;
  if (!Array.isArray(type) || type[0] !== "VerifiableCredential" || type[1] !== credentialTypeName(String(documentHeader.type))) {
    throw new EProofError("INVALID_DOCUMENT", "the credential's type does not name the e-Proof document type");
  }
  const iat = payload.iat;
  if (!Number.isSafeInteger(iat)) throw new EProofError("INVALID_DOCUMENT", "the VC-JWT has no iat");
  const from = typeof payload.validFrom === "string" ? Date.parse(payload.validFrom) : Number.NaN;
  const until = typeof payload.validUntil === "string" ? Date.parse(payload.validUntil) : Number.NaN;
  const window =
    Number.isFinite(from) && Number.isFinite(until)
      ? { validFrom: hongKongCalendarDate(Math.floor(from / 1000)), validUntil: hongKongCalendarDate(Math.floor(until / 1000)) }
      : null;
  return {
    format: "vc-jwt",
    header: documentHeader,
    data: object(payload.credentialSubject, "credentialSubject") as Record<string, JsonValue>,
    salts: object(anchor.fieldSalts, "evidence fieldSalts") as Record<string, string>,
    hidden: {} as Record<string, Hex>,
    documentHash: typeof anchor.documentHash === "string" ? anchor.documentHash : "",
    anchor: {
      chainId: anchor.chainId as number,
      registry: anchor.registry as Hex,
      root: anchor.merkleRoot as Hex,
      proof: anchor.merkleProof as Hex[],
      txHash: anchor.txHash as Hex,
      blockNumber: anchor.blockNumber as number,
    },
    issuerUrl: issuerIdOf(payload.issuer),
    jws,
    kid: header.kid,
    jwk: object(header.jwk, "header jwk") as PublicJwk,
    exportedAt: iat as number,
    window,
  };
}
