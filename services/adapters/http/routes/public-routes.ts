/** Public routes: verify API, trust configuration, keys, health, metrics, OpenAPI. No authentication. */

import { createHash, timingSafeEqual } from "node:crypto";
import express, { Router } from "express";
import { publishedRegistries } from "../../../domain/trust-list.ts";
import { EProofError } from "../../../errors.ts";
import { redactCopy } from "../../../use-cases/redact-copy.ts";
import type { VerificationResult } from "../../../use-cases/verify-document.ts";
import { type VerifyPdfDeps, verifyPdfBytes, verifyQrText, verifySubmittedDocument } from "../../../use-cases/verify-submission.ts";
import { withDeadline } from "../abuse-protection.ts";
import type { HttpDeps } from "../http-deps.ts";
import { buildOpenApi } from "../openapi.ts";
import { redactBody, verifyBody } from "../request-schemas.ts";
import { parseBody } from "../validate-body.ts";

export function publicRoutes(deps: HttpDeps): Router {
  const router = Router();
  const verifyDeps: VerifyPdfDeps = {
    store: deps.store,
    pdf: deps.pdfReader,
    signatures: deps.signatures,
    ledger: deps.verifyReads ?? deps.ledger,
    trust: deps.trust,
    clock: deps.clock,
    publicKey: (kid) => deps.keys.publicKey(kid),
    ...(deps.policies ? { policies: deps.policies } : {}),
    ...(deps.onAnchorMissing ? { onAnchorMissing: deps.onAnchorMissing } : {}),
  };
  const openApi = buildOpenApi(deps.config);

  const deadline = deps.config.abuse.verifyTimeoutMs;
  router.post("/api/v1/verify", express.raw({ type: "application/pdf", limit: deps.config.bodyLimitBytes }), async (req, res) => {
    let result: VerificationResult;
    let input: string;
    if (req.is("application/pdf")) {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new EProofError("INVALID_PDF", "the request body is empty; send the PDF bytes");
      input = "pdf";
      result = await withDeadline(verifyPdfBytes(verifyDeps, new Uint8Array(req.body)), deadline);
    } else {
      const body = parseBody(verifyBody, req.body);
      if ("qr" in body) {
        input = "qr";
        result = await withDeadline(verifyQrText(verifyDeps, body.qr), deadline);
      } else {
        input = "document";
        result = await withDeadline(verifySubmittedDocument(verifyDeps, body.document), deadline);
      }
    }
    deps.metrics.verifications.inc({ verdict: result.verdict, input });
    // The department's name, for the verify page's "issuing department" (the signed header carries its code).
    const issuer = result.document?.header.issuer;
    const name = issuer ? deps.departmentName(issuer) : null;
    res.json(name ? { ...result, issuerName: { en: name.en, "zh-HK": name.zhHK } } : result);
  });

  // Selective disclosure: stateless, so a holder needs no account; nothing is stored or logged.
  router.post("/api/v1/redact", (req, res) => {
    const body = parseBody(redactBody, req.body);
    res.json(redactCopy(body.document, body.hide));
  });

  router.get("/.well-known/eproof.json", (_req, res) => {
    res.json({
      chainId: deps.trust.chainId,
      registry: deps.trust.registry,
      // Every registry whose anchorings this service trusts, with its period (a contract upgrade never orphans documents).
      registries: publishedRegistries(deps.trust),
      jwksUri: `${deps.config.publicUrl}/.well-known/jwks.json`,
      verifyApi: `${deps.config.publicUrl}/api/v1/verify`,
    });
  });

  router.get("/.well-known/jwks.json", async (_req, res) => {
    res.set("Cache-Control", "public, max-age=60").json(await deps.keys.jwks());
  });

  router.get("/healthz", async (_req, res) => {
    const report = await deps.health();
    res.status(report.status === "ok" ? 200 : 503).json(report);
  });

  // Liveness: the process serves HTTP. Never touches the chain or the database, so an orchestrator
  // does not restart a healthy instance because a dependency is down.
  router.get("/healthz/live", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "live" });
  });

  // Readiness: route traffic here only when the chain answers with the configured chain id and
  // the database answers. 503 otherwise, with the failing parts named.
  router.get("/healthz/ready", async (_req, res) => {
    const report = await deps.health();
    const failing = [
      ...(report.chain.reachable ? [] : ["chain unreachable"]),
      ...(report.chain.chainIdMatches === false ? [`chain id is not ${report.chain.chainId}`] : []),
      ...(report.database.reachable ? [] : ["database unavailable"]),
    ];
    res
      .status(failing.length === 0 ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({ status: failing.length === 0 ? "ready" : "not_ready", ...(failing.length ? { failing } : {}) });
  });

  router.get("/metrics", async (req, res) => {
    // EPROOF_METRICS_TOKEN: metrics for the monitoring system only (they show volumes and timings).
    const token = deps.config.metricsToken;
    if (token !== undefined && !sameSecret(req.get("authorization") ?? "", `Bearer ${token}`)) {
      throw new EProofError("UNAUTHORISED", "the metrics need the monitoring token: Authorization: Bearer <EPROOF_METRICS_TOKEN>");
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  router.get("/openapi.json", (_req, res) => {
    res.json(openApi);
  });

  return router;
}

/** Constant-time comparison of two secrets of any length (hashed first, so lengths leak nothing). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
