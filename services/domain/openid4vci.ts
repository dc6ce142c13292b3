/**
 * OpenID for Verifiable Credential Issuance 1.0 (pre-authorized code flow), the pure part: the
 * Credential Issuer Metadata, the OAuth authorization server metadata (RFC 8414), the credential
 * offer and its link, the checks of a wallet's proof JWT (OpenID4VCI 1.0 §F.1), and the error codes
 * the spec fixes (its wire format, `{error, error_description}`, is not e-Proof's problem JSON).
 */
import { vctUrl } from "./credential-locations.ts";
import { documentTypes } from "./document-types.ts";

export const PRE_AUTHORIZED_CODE_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
export const PROOF_JWT_TYP = "openid4vci-proof+jwt";
export const SD_JWT_VC_FORMAT = "dc+sd-jwt";
/** The transaction code the officer hands to the holder out of band: six digits. */
export const TX_CODE_LENGTH = 6;
/** How far a proof's `iat` may lie in the future (clock skew), seconds. */
export const PROOF_IAT_SKEW_SECONDS = 60;

/** Where the wallet endpoints live under the public URL (the credential issuer identifier). */
export const OID4VCI_PATHS = {
  issuerMetadata: "/.well-known/openid-credential-issuer",
  authorizationServerMetadata: "/.well-known/oauth-authorization-server",
  nonce: "/api/v1/oid4vci/nonce",
  token: "/api/v1/oid4vci/token",
  credential: "/api/v1/oid4vci/credential",
} as const;

/**
 * The error codes of RFC 6749 §5.2 (token endpoint), RFC 6750 §3.1 (bearer token) and
 * OpenID4VCI 1.0 §8.3.1.2 (credential endpoint). The HTTP adapter gives each its status.
 */
export type Oid4vciErrorCode =
  | "invalid_request"
  | "invalid_grant"
  | "unsupported_grant_type"
  | "invalid_token"
  | "invalid_credential_request"
  | "unknown_credential_configuration"
  | "invalid_proof"
  | "invalid_nonce"
  | "credential_request_denied";

/** A refusal in OpenID4VCI's terms: `error` is the spec's code, the description is for a person (never holder data). */
export class Oid4vciError extends Error {
  readonly error: Oid4vciErrorCode;

  constructor(error: Oid4vciErrorCode, description: string) {
    super(description);
    this.name = "Oid4vciError";
    this.error = error;
  }
}

function base(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, "");
}

/** The credential configuration a document type is offered under (one `dc+sd-jwt` configuration per type). */
export function credentialConfigurationId(type: string): string {
  return `${type}-sd-jwt-vc`;
}

/** The document type of a credential configuration id, or null when no type has it. */
export function typeOfConfiguration(configurationId: string): string | null {
  for (const type of documentTypes.keys()) if (credentialConfigurationId(type) === configurationId) return type;
  return null;
}

/** Credential Issuer Metadata (OpenID4VCI 1.0 §12.2): the credential issuer is the service's public URL. */
export function credentialIssuerMetadata(publicUrl: string): Record<string, unknown> {
  const issuer = base(publicUrl);
  const configurations: Record<string, unknown> = {};
  for (const type of documentTypes.values()) {
    configurations[credentialConfigurationId(type.id)] = {
      format: SD_JWT_VC_FORMAT,
      vct: vctUrl(issuer, type.id, type.version),
      cryptographic_binding_methods_supported: ["jwk"],
      credential_signing_alg_values_supported: ["ES256"],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ["ES256"] } },
      credential_metadata: {
        display: [
          { name: `e-Proof ${type.title.en}`, locale: "en" },
          { name: `電子證明${type.title["zh-HK"]}`, locale: "zh-HK" },
        ],
      },
    };
  }
  return {
    credential_issuer: issuer,
    credential_endpoint: `${issuer}${OID4VCI_PATHS.credential}`,
    nonce_endpoint: `${issuer}${OID4VCI_PATHS.nonce}`,
    display: [
      { name: "e-Proof", locale: "en" },
      { name: "電子證明", locale: "zh-HK" },
    ],
    credential_configurations_supported: configurations,
  };
}

/**
 * The OAuth 2.0 Authorization Server Metadata (RFC 8414) of the same issuer: only the token
 * endpoint and the pre-authorized code grant, which a wallet may use without client authentication.
 */
export function authorizationServerMetadata(publicUrl: string): Record<string, unknown> {
  const issuer = base(publicUrl);
  return {
    issuer,
    token_endpoint: `${issuer}${OID4VCI_PATHS.token}`,
    grant_types_supported: [PRE_AUTHORIZED_CODE_GRANT],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ["none"],
    "pre-authorized_grant_anonymous_access_supported": true,
  };
}

/** The credential offer object (OpenID4VCI 1.0 §4.1.1) for one document, pre-authorized code grant. */
export function credentialOffer(publicUrl: string, input: { configurationId: string; preAuthorizedCode: string; txCode: boolean }): Record<string, unknown> {
  return {
    credential_issuer: base(publicUrl),
    credential_configuration_ids: [input.configurationId],
    grants: {
      [PRE_AUTHORIZED_CODE_GRANT]: {
        "pre-authorized_code": input.preAuthorizedCode,
        ...(input.txCode
          ? {
              // Short and ASCII: every byte of the offer makes its QR code denser (a CJK character costs 9 in the link).
              tx_code: {
                input_mode: "numeric",
                length: TX_CODE_LENGTH,
                description: "The 6-digit code from the officer",
              },
            }
          : {}),
      },
    },
  };
}

/** The offer by value as the link a wallet opens (`openid-credential-offer://?credential_offer=…`). */
export function credentialOfferLink(offer: Record<string, unknown>): string {
  return `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`;
}

/** A wallet's proof JWT, already split and its signature checked against `header.jwk`. */
export interface DecodedProof {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * The checks of OpenID4VCI 1.0 §F.1 on a proof whose signature verified: typ, alg, a public JWK in
 * the header, aud = the credential issuer, iat not too old nor in the future, and a nonce. Returns
 * the nonce (the caller consumes it) or throws Oid4vciError invalid_proof.
 */
export function checkProofClaims(proof: DecodedProof, input: { credentialIssuer: string; nowSeconds: number; maxAgeSeconds: number }): string {
  const { header, payload } = proof;
  if (header.typ !== PROOF_JWT_TYP) throw new Oid4vciError("invalid_proof", `the proof's typ must be ${PROOF_JWT_TYP}`);
  if (header.alg !== "ES256") throw new Oid4vciError("invalid_proof", "the proof must be signed with ES256");
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== "object" || jwk.kty !== "EC" || jwk.crv !== "P-256" || "d" in jwk) {
    throw new Oid4vciError("invalid_proof", "the proof's header must carry the wallet's public P-256 key as jwk");
  }
  if (header.kid !== undefined || header.x5c !== undefined)
    throw new Oid4vciError("invalid_proof", "the proof must name its key by jwk alone (no kid, no x5c)");
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(base(input.credentialIssuer))) throw new Oid4vciError("invalid_proof", `the proof's aud must be ${base(input.credentialIssuer)}`);
  const iat = payload.iat;
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw new Oid4vciError("invalid_proof", "the proof must carry iat");
  if (iat > input.nowSeconds + PROOF_IAT_SKEW_SECONDS) throw new Oid4vciError("invalid_proof", "the proof's iat is in the future");
  if (iat < input.nowSeconds - input.maxAgeSeconds) throw new Oid4vciError("invalid_proof", "the proof is too old; make a new one with a fresh nonce");
  if (typeof payload.nonce !== "string" || payload.nonce.length === 0) {
    throw new Oid4vciError("invalid_nonce", "the proof must carry a c_nonce from the nonce endpoint");
  }
  return payload.nonce;
}

/** The holder's public key as it goes into `cnf.jwk`: the public members only. */
export function publicJwkOf(jwk: Record<string, unknown>): Record<string, unknown> {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y };
}
