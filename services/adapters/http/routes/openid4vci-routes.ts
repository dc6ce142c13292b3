/**
 * OpenID4VCI 1.0, pre-authorized code flow (services/use-cases/issue-to-wallet.ts does the work):
 * the issuer and authorization server metadata, the wallet's nonce, token and credential endpoints
 * (public: the pre-authorized code, the access token and the proof are the credentials), and the
 * officer's route that makes an offer for one of the department's documents.
 *
 * The wallet endpoints answer errors in OAuth's shape, `{error, error_description}` with the status
 * the specs give, never e-Proof's problem JSON, and never a 500 for the wallet's mistake. Nothing a
 * wallet sends is logged.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import { z } from "zod";
import { authorizationServerMetadata, credentialIssuerMetadata, OID4VCI_PATHS, Oid4vciError, type Oid4vciErrorCode } from "../../../domain/openid4vci.ts";
import { isDocumentId } from "../../../domain/types.ts";
import { EProofError } from "../../../errors.ts";
import { type ApiDescription, describedRoutes } from "../api-description.ts";
import { officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps, WalletHttpDeps } from "../http-deps.ts";
import {
  credentialAnswer,
  credentialOfferAnswer,
  credentialOfferRequest,
  credentialRequest,
  nonceAnswer,
  oauthError,
  tokenAnswer,
  tokenRequest,
} from "../openid4vci-schemas.ts";
import { authRefusals, bodyRefusals, jsonResponse, problem, rateLimited } from "../response-schemas.ts";
import { parseBody } from "../validate-body.ts";

/** RFC 6749 §5.2, RFC 6750 §3.1, OpenID4VCI 1.0 §8.3.1.2. */
const STATUS: Record<Oid4vciErrorCode, number> = {
  invalid_request: 400,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  invalid_token: 401,
  invalid_credential_request: 400,
  unknown_credential_configuration: 400,
  invalid_proof: 400,
  invalid_nonce: 400,
  // The only denial here is an instance without the SD-JWT VC export: the service's gap, not the wallet's.
  credential_request_denied: 501,
};

/** Runs an OAuth-style endpoint: an Oid4vciError becomes `{error, error_description}`; anything else goes on to the error responder. */
function oauthEndpoint(work: (req: Request, res: Response) => Promise<unknown>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = await work(req, res);
      res.set("Cache-Control", "no-store").json(body);
    } catch (error) {
      if (!(error instanceof Oid4vciError)) {
        next(error);
        return;
      }
      const status = STATUS[error.error];
      if (error.error === "invalid_token") res.set("WWW-Authenticate", `Bearer error="invalid_token"`);
      res.status(status).set("Cache-Control", "no-store").json({ error: error.error, error_description: error.message });
    }
  };
}

function bearerOf(req: Request): string | undefined {
  const match = /^Bearer\s+([\w.~+/-]{10,200}=*)$/i.exec(req.get("authorization") ?? "");
  return match?.[1];
}

const metadata = (description: string) => jsonResponse(description, z.record(z.string(), z.unknown()));
const oauthRefusal = (description: string) => jsonResponse(description, oauthError);

export function openid4vciRoutes(deps: HttpDeps, wallet: WalletHttpDeps, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  const issuerMetadata = credentialIssuerMetadata(deps.config.publicUrl);
  const serverMetadata = authorizationServerMetadata(deps.config.publicUrl);

  routes.get(
    OID4VCI_PATHS.issuerMetadata,
    {
      summary: "Credential Issuer Metadata (OpenID4VCI 1.0 §12.2): one dc+sd-jwt configuration per document type",
      tags: ["wallet"],
      responses: { "200": metadata("The credential issuer's metadata") },
    },
    (_req, res) => {
      res.set("Cache-Control", "public, max-age=300").json(issuerMetadata);
    },
  );
  routes.get(
    OID4VCI_PATHS.authorizationServerMetadata,
    {
      summary: "OAuth 2.0 Authorization Server Metadata (RFC 8414) of the pre-authorized code grant",
      tags: ["wallet"],
      responses: { "200": metadata("The authorization server's metadata") },
    },
    (_req, res) => {
      res.set("Cache-Control", "public, max-age=300").json(serverMetadata);
    },
  );

  routes.post(
    OID4VCI_PATHS.nonce,
    {
      summary: "A fresh c_nonce for the wallet's proof JWT (single use)",
      tags: ["wallet"],
      responses: { "200": jsonResponse("The nonce", nonceAnswer), "429": rateLimited },
    },
    oauthEndpoint(() => wallet.issuance.nonce()),
  );

  // RFC 6749 §4.1.3: the token request is form-encoded (JSON is taken too).
  routes.post(
    OID4VCI_PATHS.token,
    {
      summary: "Redeem a pre-authorized code (and transaction code) for an access token",
      tags: ["wallet"],
      requestBody: {
        required: true,
        content: { "application/x-www-form-urlencoded": { schema: tokenRequest }, "application/json": { schema: tokenRequest } },
      },
      responses: {
        "200": jsonResponse("The access token (one document, short-lived)", tokenAnswer),
        "400": oauthRefusal("invalid_request, invalid_grant (unknown, used, expired or locked offer; wrong transaction code) or unsupported_grant_type"),
        "429": rateLimited,
      },
    },
    express.urlencoded({ extended: false, limit: "16kb" }),
    oauthEndpoint(async (req) => {
      const body = req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
      return wallet.issuance.token(body);
    }),
  );

  routes.post(
    OID4VCI_PATHS.credential,
    {
      summary: "The document's SD-JWT VC, bound to the key the wallet's proof JWT proves",
      tags: ["wallet"],
      security: ["walletAccessToken"],
      requestBody: { required: true, content: { "application/json": { schema: credentialRequest } } },
      responses: {
        "200": jsonResponse("The credential", credentialAnswer),
        "400": oauthRefusal("invalid_credential_request, unknown_credential_configuration, invalid_proof or invalid_nonce"),
        "401": oauthRefusal("invalid_token: no access token, or not a valid one (WWW-Authenticate says so)"),
        "429": rateLimited,
        "501": oauthRefusal("credential_request_denied: this instance cannot sign the credential"),
      },
    },
    oauthEndpoint((req) => wallet.issuance.credential({ accessToken: bearerOf(req), body: req.body })),
  );

  routes.post(
    "/api/v1/documents/:id/credential-offer",
    {
      summary: "An officer's single-use OpenID4VCI offer for one of the department's documents: link, QR, code, optional transaction code",
      tags: ["wallet"],
      security: ["officerApiKey"],
      requestParams: { path: z.object({ id: z.string().meta({ description: "The document id: 32 lowercase hex characters" }) }) },
      requestBody: { required: false, content: { "application/json": { schema: credentialOfferRequest } } },
      responses: {
        "201": jsonResponse("The offer: hand the link or its QR to the holder (and the transaction code out of band)", credentialOfferAnswer),
        ...bodyRefusals,
        ...authRefusals,
        "404": problem("No such document of this department (NOT_FOUND)"),
        "409": problem("The document is revoked or superseded (INVALID_STATUS_CHANGE)"),
      },
    },
    requireOfficer(deps.store, deps.audit),
    async (req, res) => {
      const officer = officerOf(res.locals);
      const id = String(req.params.id);
      if (!isDocumentId(id)) throw new EProofError("NOT_FOUND", "a document id is 32 lowercase hex characters");
      const body = parseBody(credentialOfferRequest, req.body ?? {});
      const offer = await wallet.issuance.createOffer(officer, id, { txCode: body.txCode === true });
      const qrPng = Buffer.from(await wallet.qr.png(offer.link)).toString("base64");
      // The answer holds the offer's secrets (code, transaction code): no cache may keep it.
      res.status(201).set("Cache-Control", "no-store").json({
        offerId: offer.offerId,
        documentId: offer.documentId,
        credentialConfigurationId: offer.credentialConfigurationId,
        credentialOffer: offer.credentialOffer,
        credentialOfferLink: offer.link,
        qrPng,
        preAuthorizedCode: offer.preAuthorizedCode,
        txCode: offer.txCode,
        expiresAt: offer.expiresAt,
        canIssue: wallet.issuance.canIssue,
      });
    },
  );

  return routes.router;
}
