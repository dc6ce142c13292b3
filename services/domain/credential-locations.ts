/**
 * Where the credential exports' public resources live (issue 15): the departments' issuer URLs, the
 * SD-JWT VC issuer metadata, the SD-JWT VC type metadata (vct), the types' JSON Schemas and the
 * e-Proof JSON-LD context. One place for the URL scheme, used by the exports, the verifier and the
 * routes that serve them. (The status lists: status-list-location.ts.)
 */

function base(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, "");
}

/** A department's issuer identifier: `iss` of its SD-JWT VCs, `issuer` of its VC 2.0 credentials. */
export function issuerUrl(publicUrl: string, department: string): string {
  return `${base(publicUrl)}/issuers/${encodeURIComponent(department)}`;
}

/** The department code an issuer URL names (any service's: the path ends in /issuers/<DEPT>), or null. */
export function departmentOfIssuerUrl(url: unknown): string | null {
  if (typeof url !== "string") return null;
  const match = /\/issuers\/([A-Z0-9-]{2,31})$/.exec(url);
  return match ? (match[1] as string) : null;
}

/** JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc §5): the well-known path inserted before the issuer's path. */
export function jwtVcIssuerMetadataUrl(publicUrl: string, department: string): string {
  return `${base(publicUrl)}/.well-known/jwt-vc-issuer/issuers/${encodeURIComponent(department)}`;
}

/** The SD-JWT VC type (vct) of a document type and version; GET answers its Type Metadata. */
export function vctUrl(publicUrl: string, type: string, version: number): string {
  return `${base(publicUrl)}/credentials/types/${encodeURIComponent(type)}/${version}`;
}

/** The document type's JSON Schema (the schema whose keccak256 is registered on chain). */
export function schemaUrl(publicUrl: string, type: string, version: number): string {
  return `${base(publicUrl)}/credentials/schemas/${encodeURIComponent(type)}/${version}`;
}

/** The e-Proof JSON-LD context of the VC 2.0 exports. */
export function eproofContextUrl(publicUrl: string): string {
  return `${base(publicUrl)}/credentials/context/v1`;
}

/** "subsidy-agreement" → "SubsidyAgreementCredential": the VC 2.0 type of a document type. */
export function credentialTypeName(type: string): string {
  return `${type
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")}Credential`;
}
