/** The admin API's part of /openapi.json, from the same zod schemas that validate its requests. */
import { z } from "zod";
import { anchorerBody, apiKeyBody, compromisedBody, grantBody, onboardBody, publishableReasonsBody, rotateBody } from "./admin-request-schemas.ts";

function schema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

const security = [{ adminApiKey: [] }];
const refusals = {
  "400": { description: "Malformed request" },
  "401": { description: "Missing or invalid API key" },
  "403": { description: "Not an admin API key" },
  "404": { description: "Unknown department, type, key or API key" },
  "409": { description: "Refused by the chain (the custom error is named) or no change to make" },
};
const code = { name: "code", in: "path", required: true, schema: { type: "string", pattern: "^[A-Z0-9-]{2,31}$" } };

function op(summary: string, body?: z.ZodType, extra: Record<string, unknown>[] = []) {
  return {
    summary,
    tags: ["admin"],
    security,
    parameters: [code, ...extra],
    ...(body ? { requestBody: { required: false, content: { "application/json": { schema: schema(body) } } } } : {}),
    responses: { "200": { description: "Done; the chain transaction is named" }, ...refusals },
  };
}

export const adminSecurityScheme = { type: "http", scheme: "bearer", description: 'Platform administrator API key (role "admin")' };

export function adminOpenApiPaths(): Record<string, unknown> {
  const path = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
  return {
    "/api/v1/admin/departments": {
      post: { ...op("Onboard a department: register it, grant types, add this service's anchorer, register a signing key", onboardBody), parameters: [] },
    },
    "/api/v1/admin/departments/{code}": { get: op("A department as the chain records it: status, grants, key windows, anchorers") },
    "/api/v1/admin/departments/{code}/suspend": { post: op("Suspend: no new issuance; existing documents keep their status") },
    "/api/v1/admin/departments/{code}/reinstate": { post: op("Reinstate a suspended department") },
    "/api/v1/admin/departments/{code}/types": { post: op("Grant a document type (its schema hash goes on chain)", grantBody) },
    "/api/v1/admin/departments/{code}/types/{type}": { delete: op("Withdraw a document type", undefined, [path("type")]) },
    "/api/v1/admin/departments/{code}/keys": { post: op("Generate and register a signing key, valid from the latest block time") },
    "/api/v1/admin/departments/{code}/keys/rotate": {
      post: op("Rotate: a new key signs; the old ones are retired after graceSeconds (default 600)", rotateBody),
    },
    "/api/v1/admin/departments/{code}/keys/{kid}/compromised": {
      post: op("Mark a key compromised as of a time (may be past): batches anchored from then on fail", compromisedBody, [path("kid")]),
    },
    "/api/v1/admin/departments/{code}/anchorers": {
      post: op("Add an anchoring account (default: the department's own account in custody; an account anchors for one department only)", anchorerBody),
    },
    "/api/v1/admin/departments/{code}/anchorers/rotate": {
      post: op("A new anchoring account for the department, generated in custody; the previous one is removed on chain"),
    },
    "/api/v1/admin/departments/{code}/publishable-reasons": {
      put: op("Which reason codes the public verify answer may name (none by default; reasons never go on chain)", publishableReasonsBody),
    },
    "/api/v1/admin/departments/{code}/anchorers/{account}": { delete: op("Remove an anchoring account", undefined, [path("account")]) },
    "/api/v1/admin/api-keys": {
      get: { summary: "List API keys (never their secrets)", tags: ["admin"], security, responses: { "200": { description: "ok" }, ...refusals } },
      post: {
        summary: "Create an officer key (one department, optional types) or an admin key; the secret is shown once",
        tags: ["admin"],
        security,
        requestBody: { required: true, content: { "application/json": { schema: schema(apiKeyBody) } } },
        responses: { "201": { description: "Created" }, ...refusals },
      },
    },
    "/api/v1/admin/api-keys/{id}/revoke": {
      post: {
        summary: "Revoke an API key (at once, for good)",
        tags: ["admin"],
        security,
        parameters: [path("id")],
        responses: { "200": { description: "ok" }, ...refusals },
      },
    },
    "/api/v1/admin/audit": {
      get: {
        summary: "Read the append-only audit log of officer and admin actions",
        tags: ["admin"],
        security,
        parameters: ["department", "actor", "action", "documentId", "after", "limit"].map((name) => ({
          name,
          in: "query",
          required: false,
          schema: { type: "string" },
        })),
        responses: { "200": { description: "entries (oldest first) and next (the seq to pass as after)" }, ...refusals },
      },
    },
  };
}
