/** Public routes: verify API, trust configuration, keys, health, metrics, OpenAPI. No authentication. */

import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";
import { z } from "zod";
import { publishedRegistries } from "../../../domain/trust-list.ts";
import { EProofError } from "../../../errors.ts";
import { redactCopy } from "../../../use-cases/redact-copy.ts";
import type { VerificationResult } from "../../../use-cases/verify-document.ts";
import { type VerifyPdfDeps, verifyPdfBytes, verifyQrText, verifySubmittedDocument, verifySubmittedExport } from "../../../use-cases/verify-submission.ts";
import { withDeadline } from "../abuse-protection.ts";
import { type ApiDescription, describedRoutes } from "../api-description.ts";
import type { HttpDeps } from "../http-deps.ts";
import { redactBody, verifyBody } from "../request-schemas.ts";
import {
  bodyRefusals,
  chainUnavailable,
  eproofFileSchema,
  healthSchema,
  jsonResponse,
  jwksSchema,
  problem,
  rateLimited,
  readinessSchema,
  trustConfigurationSchema,
  verificationResultResponse,
} from "../response-schemas.ts";
import { parseBody } from "../validate-body.ts";

/**
 * `openApi` is the generated document of this instance, asked for at the first GET /openapi.json
 * (after every route is recorded).
 */
export function publicRoutes(deps: HttpDeps, api: ApiDescription, openApi: () => unknown): Router {
  const routes = describedRoutes(api);
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
    ...(deps.chainFree ? { chainFree: deps.chainFree } : {}),
  };

  const deadline = deps.config.abuse.verifyTimeoutMs;
  routes.post(
    "/api/v1/verify",
    {
      summary: "Verify an e-Proof file, a QR text, a PDF, an SD-JWT VC (or a presentation of it) or a VC-JWT",
      description: "A bad document is a verdict (200), never an error: the first failing check decides it. No authentication.",
      tags: ["verify"],
      requestBody: {
        required: true,
        content: { "application/json": { schema: verifyBody }, "application/pdf": { schema: z.string().meta({ format: "binary" }) } },
      },
      responses: {
        "200": jsonResponse("The verdict, each check and the on-chain evidence", verificationResultResponse),
        "400": problem("Not a document, QR text, PDF or credential export (BAD_REQUEST, MALFORMED_JSON, INVALID_QR, INVALID_PDF)"),
        "413": bodyRefusals["413"],
        "429": rateLimited,
        "503": problem("The verification took too long (TIMEOUT); try again"),
      },
    },
    express.raw({ type: "application/pdf", limit: deps.config.bodyLimitBytes }),
    async (req, res) => {
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
        } else if ("sdJwt" in body || "vcJwt" in body) {
          input = "sdJwt" in body ? "sd-jwt-vc" : "vc-jwt";
          result = await withDeadline(verifySubmittedExport(verifyDeps, body), deadline);
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
    },
  );

  // Selective disclosure: stateless, so a holder needs no account; nothing is stored or logged.
  routes.post(
    "/api/v1/redact",
    {
      summary: "Make a redacted copy of an e-Proof file that withholds chosen fields and still verifies",
      tags: ["verify"],
      requestBody: { required: true, content: { "application/json": { schema: redactBody } } },
      responses: {
        "200": jsonResponse("The redacted e-Proof file: the withheld fields appear under hidden as digests", eproofFileSchema),
        ...bodyRefusals,
        "422": problem("The input is not an e-Proof file, or a field cannot be withheld (INVALID_DOCUMENT)"),
        "429": rateLimited,
      },
    },
    (req, res) => {
      const body = parseBody(redactBody, req.body);
      res.json(redactCopy(body.document, body.hide));
    },
  );

  routes.get(
    "/.well-known/eproof.json",
    {
      summary: "Trust configuration to pin: chain id, registries, JWKS address",
      tags: ["trust"],
      responses: { "200": jsonResponse("The trust configuration", trustConfigurationSchema) },
    },
    (_req, res) => {
      res.json({
        chainId: deps.trust.chainId,
        registry: deps.trust.registry,
        // Every registry whose anchorings this service trusts, with its period (a contract upgrade never orphans documents).
        registries: publishedRegistries(deps.trust),
        jwksUri: `${deps.config.publicUrl}/.well-known/jwks.json`,
        verifyApi: `${deps.config.publicUrl}/api/v1/verify`,
      });
    },
  );

  routes.get(
    "/.well-known/jwks.json",
    {
      summary: "Department signing keys with their validity windows",
      tags: ["trust"],
      responses: { "200": jsonResponse("The department keys", jwksSchema), "503": chainUnavailable },
    },
    async (_req, res) => {
      res.set("Cache-Control", "public, max-age=60").json(await deps.keys.jwks());
    },
  );

  routes.get(
    "/healthz",
    {
      summary: "Health of the service, chain and database",
      tags: ["operations"],
      responses: { "200": jsonResponse("Healthy", healthSchema), "503": jsonResponse("Degraded: the report says what", healthSchema) },
    },
    async (_req, res) => {
      const report = await deps.health();
      res.status(report.status === "ok" ? 200 : 503).json(report);
    },
  );

  // Liveness: the process serves HTTP. Never touches the chain or the database, so an orchestrator
  // does not restart a healthy instance because a dependency is down.
  routes.get(
    "/healthz/live",
    {
      summary: "Liveness: the process serves HTTP (touches neither chain nor database)",
      tags: ["operations"],
      responses: { "200": jsonResponse("Live", z.object({ status: z.literal("live") })) },
    },
    (_req, res) => {
      res.set("Cache-Control", "no-store").json({ status: "live" });
    },
  );

  // Readiness: route traffic here only when the chain answers with the configured chain id and
  // the database answers. 503 otherwise, with the failing parts named.
  routes.get(
    "/healthz/ready",
    {
      summary: "Readiness: the chain answers with the configured chain id and the database answers",
      tags: ["operations"],
      responses: { "200": jsonResponse("Ready", readinessSchema), "503": jsonResponse("Not ready; `failing` names what", readinessSchema) },
    },
    async (_req, res) => {
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
    },
  );

  routes.get(
    "/metrics",
    {
      summary: "Prometheus metrics (behind the monitoring token when EPROOF_METRICS_TOKEN is set)",
      tags: ["operations"],
      ...(deps.config.metricsToken === undefined ? {} : { security: ["metricsToken"] }),
      responses: {
        "200": { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
        ...(deps.config.metricsToken === undefined ? {} : { "401": problem("Not the monitoring token (UNAUTHORISED)") }),
      },
    },
    async (req, res) => {
      // EPROOF_METRICS_TOKEN: metrics for the monitoring system only (they show volumes and timings).
      const token = deps.config.metricsToken;
      if (token !== undefined && !sameSecret(req.get("authorization") ?? "", `Bearer ${token}`)) {
        throw new EProofError("UNAUTHORISED", "the metrics need the monitoring token: Authorization: Bearer <EPROOF_METRICS_TOKEN>");
      }
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );

  routes.get(
    "/openapi.json",
    {
      summary: "This document: the OpenAPI 3.1 description of every route this instance serves",
      tags: ["operations"],
      responses: { "200": jsonResponse("The OpenAPI document", z.looseObject({ openapi: z.string() })) },
    },
    (_req, res) => {
      res.json(openApi());
    },
  );

  return routes.router;
}

/** Constant-time comparison of two secrets of any length (hashed first, so lengths leak nothing). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
