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
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from "express";
import { authorizationServerMetadata, credentialIssuerMetadata, OID4VCI_PATHS, Oid4vciError, type Oid4vciErrorCode } from "../../../domain/openid4vci.ts";
import { isDocumentId } from "../../../domain/types.ts";
import { EProofError } from "../../../errors.ts";
import { officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps, WalletHttpDeps } from "../http-deps.ts";
import { credentialOfferRequest } from "../openid4vci-schemas.ts";
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

export function openid4vciRoutes(deps: HttpDeps, wallet: WalletHttpDeps): Router {
  const router = Router();
  const issuerMetadata = credentialIssuerMetadata(deps.config.publicUrl);
  const serverMetadata = authorizationServerMetadata(deps.config.publicUrl);

  router.get(OID4VCI_PATHS.issuerMetadata, (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json(issuerMetadata);
  });
  router.get(OID4VCI_PATHS.authorizationServerMetadata, (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json(serverMetadata);
  });

  router.post(
    OID4VCI_PATHS.nonce,
    oauthEndpoint(() => wallet.issuance.nonce()),
  );

  // RFC 6749 §4.1.3: the token request is form-encoded (JSON is taken too).
  router.post(
    OID4VCI_PATHS.token,
    express.urlencoded({ extended: false, limit: "16kb" }),
    oauthEndpoint(async (req) => {
      const body = req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
      return wallet.issuance.token(body);
    }),
  );

  router.post(
    OID4VCI_PATHS.credential,
    oauthEndpoint((req) => wallet.issuance.credential({ accessToken: bearerOf(req), body: req.body })),
  );

  router.post("/api/v1/documents/:id/credential-offer", requireOfficer(deps.store, deps.audit), async (req, res) => {
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
  });

  return router;
}
