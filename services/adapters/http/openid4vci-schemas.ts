/**
 * The OpenID4VCI routes' request and answer shapes as zod schemas, with a summary per route, for
 * the generated API description (each route registers them when it is mounted). The offer body is
 * the one the route validates; the wallet endpoints check their input themselves, because their
 * refusals have OAuth's shape (`{error, error_description}`), not problem JSON.
 */
import { z } from "zod";

export const credentialOfferRequest = z
  .object({
    txCode: z.boolean().optional().meta({ description: "Ask for a transaction code: six digits the officer hands to the holder out of band (default false)" }),
  })
  .strict()
  .meta({ id: "CredentialOfferRequest" });

export const credentialOfferAnswer = z
  .object({
    offerId: z.string().meta({ description: "The offer's id (32 hex), as the audit names it" }),
    documentId: z.string(),
    credentialConfigurationId: z.string().meta({ example: "licence-sd-jwt-vc" }),
    credentialOffer: z.record(z.string(), z.unknown()).meta({ description: "The OpenID4VCI 1.0 credential offer object (pre-authorized code grant)" }),
    credentialOfferLink: z.string().meta({ description: "openid-credential-offer://?credential_offer=… (the offer by value)" }),
    qrPng: z.string().meta({ description: "The link as a QR code, PNG, base64 (the service keeps only the code's hash: it cannot draw it again)" }),
    preAuthorizedCode: z.string(),
    txCode: z.string().nullable().meta({ description: "The six digits to give the holder, or null when none was asked for" }),
    expiresAt: z.string().meta({ description: "ISO 8601: the offer cannot be redeemed after this" }),
    canIssue: z.boolean().meta({ description: "False when this build has no SD-JWT VC export (the credential endpoint would answer 501)" }),
  })
  .meta({ id: "CredentialOfferAnswer" });

export const tokenRequest = z
  .object({
    grant_type: z.literal("urn:ietf:params:oauth:grant-type:pre-authorized_code"),
    "pre-authorized_code": z.string(),
    tx_code: z.string().optional(),
  })
  .meta({ id: "PreAuthorizedTokenRequest", description: "application/x-www-form-urlencoded (JSON is taken too)" });

export const tokenAnswer = z
  .object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int() })
  .meta({ id: "AccessTokenAnswer" });

export const nonceAnswer = z.object({ c_nonce: z.string(), c_nonce_expires_in: z.number().int() }).meta({ id: "NonceAnswer" });

export const credentialRequest = z
  .object({
    credential_configuration_id: z.string().meta({ example: "licence-sd-jwt-vc" }),
    proofs: z.object({ jwt: z.array(z.string()).length(1) }).optional(),
    proof: z.object({ proof_type: z.literal("jwt"), jwt: z.string() }).optional(),
  })
  .meta({ id: "CredentialRequest" });

export const credentialAnswer = z
  .object({ credentials: z.array(z.object({ credential: z.string().meta({ description: "The SD-JWT VC (dc+sd-jwt) with cnf.jwk = the proof's key" }) })) })
  .meta({ id: "CredentialAnswer" });

export const oauthError = z
  .object({ error: z.string().meta({ example: "invalid_grant" }), error_description: z.string() })
  .meta({ id: "OAuthError", description: "RFC 6749 §5.2 / OpenID4VCI 1.0 §8.3.1.2 error" });
