/**
 * /openapi.json, generated from the same zod schemas that validate requests and documents, so the
 * description cannot drift from what the service accepts.
 */
import { z } from "zod";
import type { Config } from "../../config.ts";
import { documentTypes } from "../../domain/document-types.ts";
import { REASON_CODES } from "../../domain/reason-codes.ts";
import { adminOpenApiPaths, adminSecurityScheme } from "./admin-openapi.ts";
import { notYetAnchored, publicStatusPaths } from "./public-status-openapi.ts";
import { issueBatchBody, issueDocumentBody, redactBody, statusChangeBody, supersedeBody, verifyBody } from "./request-schemas.ts";
import { subscriptionPaths } from "./subscription-openapi.ts";

function schema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        requestId: { type: "string" },
        problems: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
      },
    },
  },
};

export function buildOpenApi(config: Pick<Config, "publicUrl" | "maxBatchItems">): Record<string, unknown> {
  const typeSchemas = Object.fromEntries([...documentTypes.values()].map((t) => [`${t.id}-v${t.version}`, { ...t.jsonSchema, "x-schema-hash": t.schemaHash }]));
  const json = (ref: Record<string, unknown>) => ({ required: true, content: { "application/json": { schema: ref } } });
  const errors = {
    "400": { description: "Malformed request", content: { "application/json": { schema: errorSchema } } },
    "401": { description: "Missing or invalid API key", content: { "application/json": { schema: errorSchema } } },
    "413": { description: "Body too large", content: { "application/json": { schema: errorSchema } } },
  };
  const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{32}$" } }];
  const statusOp = (summary: string) => ({
    summary,
    security: [{ apiKey: [] }],
    parameters: idParam,
    requestBody: json(schema(statusChangeBody)),
    responses: {
      "200": { description: "Recorded on chain" },
      "404": { description: "Unknown document" },
      "409": { description: "Not allowed from the current status" },
      ...errors,
    },
  });
  const download = (summary: string, type: string) => ({
    summary,
    security: [{ apiKey: [] }],
    parameters: idParam,
    responses: { "200": { description: summary, content: { [type]: {} } }, "404": { description: "Unknown document" } },
  });
  // A copy is handed out only complete: before anchoring (after a short wait), 202 with Retry-After.
  const completeDownload = (summary: string, type: string) => {
    const plain = download(summary, type);
    return { ...plain, responses: { ...plain.responses, "202": notYetAnchored } };
  };
  return {
    openapi: "3.1.0",
    info: { title: "e-Proof API", version: "1.0.0", description: "Issue and verify tamper-evident government documents." },
    servers: [{ url: config.publicUrl }],
    "x-reason-codes": REASON_CODES,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "Department officer API key" }, adminApiKey: adminSecurityScheme },
      schemas: { ...typeSchemas, Error: errorSchema },
    },
    paths: {
      "/api/v1/documents": {
        post: {
          summary: "Issue one document",
          security: [{ apiKey: [] }],
          requestBody: json(schema(issueDocumentBody)),
          responses: {
            "202": { description: "Accepted; anchored shortly (verifies PENDING until then)" },
            "422": { description: "Invalid data, with the problems" },
            ...errors,
          },
        },
      },
      "/api/v1/batches": {
        post: {
          summary: `Issue up to ${config.maxBatchItems} documents of one type`,
          security: [{ apiKey: [] }],
          requestBody: json(schema(issueBatchBody(config.maxBatchItems))),
          responses: { "202": { description: "Accepted" }, "422": { description: "Invalid items, with the problems" }, ...errors },
        },
      },
      "/api/v1/documents/{id}": {
        get: {
          summary: "Look a document up",
          security: [{ apiKey: [] }],
          parameters: idParam,
          responses: { "200": { description: "Document, anchoring and status history" } },
        },
      },
      "/api/v1/documents/{id}/revoke": { post: statusOp("Revoke (final)") },
      "/api/v1/documents/{id}/suspend": { post: statusOp("Suspend") },
      "/api/v1/documents/{id}/reinstate": { post: statusOp("Reinstate a suspended document") },
      "/api/v1/documents/{id}/supersede": {
        post: {
          summary: "Issue a successor and mark this document superseded",
          security: [{ apiKey: [] }],
          parameters: idParam,
          requestBody: json(schema(supersedeBody)),
          responses: { "201": { description: "Superseded" } },
        },
      },
      "/api/v1/documents/{id}/eproof.json": { get: completeDownload("The e-Proof file, complete (anchor included)", "application/json") },
      "/api/v1/documents/{id}/qr.png": { get: download("The QR code (PNG)", "image/png") },
      "/api/v1/documents/{id}/qr.svg": { get: download("The QR code (SVG)", "image/svg+xml") },
      "/api/v1/documents/{id}/pdf": { get: completeDownload("The PDF with QR code and embedded, complete e-Proof file", "application/pdf") },
      "/api/v1/verify": {
        post: {
          summary: "Verify an e-Proof file, a QR text or a PDF",
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(verifyBody) }, "application/pdf": { schema: { type: "string", format: "binary" } } },
          },
          responses: {
            "200": { description: "A verdict with each check and the on-chain evidence" },
            "400": errors["400"],
            "413": errors["413"],
            "429": {
              description: "Too many verifications from this client; wait for Retry-After seconds",
              headers: { "Retry-After": { schema: { type: "integer" } } },
              content: { "application/json": { schema: errorSchema } },
            },
            "503": { description: "The verification took too long (TIMEOUT); try again", content: { "application/json": { schema: errorSchema } } },
          },
        },
      },
      "/api/v1/redact": {
        post: {
          summary: "Make a redacted copy of an e-Proof file that withholds chosen fields and still verifies",
          requestBody: json(schema(redactBody)),
          responses: {
            "200": { description: "The redacted e-Proof file: the withheld fields appear under hidden as digests" },
            "400": errors["400"],
            "422": { description: "The input is not an e-Proof file" },
          },
        },
      },
      "/.well-known/eproof.json": { get: { summary: "Trust configuration to pin: chainId, registry, jwksUri", responses: { "200": { description: "ok" } } } },
      "/.well-known/jwks.json": { get: { summary: "Department signing keys with validity windows", responses: { "200": { description: "ok" } } } },
      "/healthz": {
        get: { summary: "Health of the service, chain and database", responses: { "200": { description: "ready" }, "503": { description: "degraded" } } },
      },
      "/healthz/live": {
        get: { summary: "Liveness: the process serves HTTP (touches neither chain nor database)", responses: { "200": { description: "live" } } },
      },
      "/healthz/ready": {
        get: {
          summary: "Readiness: the chain answers with the configured chain id and the database answers",
          responses: { "200": { description: "ready" }, "503": { description: "not ready; `failing` names what" } },
        },
      },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "ok" } } } },
      ...adminOpenApiPaths(),
      ...subscriptionPaths(),
      ...publicStatusPaths(),
    },
  };
}
