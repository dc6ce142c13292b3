/** OpenAPI paths of the subscription and bulk status routes (merged into /openapi.json by openapi.ts). */
import { z } from "zod";
import { bulkStatusBody, subscriptionBody } from "./subscription-schemas.ts";

function schema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

export function subscriptionPaths(): Record<string, unknown> {
  const security = [{ apiKey: [] }];
  const json = (s: z.ZodType) => ({ required: true, content: { "application/json": { schema: schema(s) } } });
  const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
  return {
    "/api/v1/status-changes": {
      post: {
        summary: "Suspend, reinstate or revoke many documents at once (one chain transaction per 250 ids)",
        security,
        requestBody: json(bulkStatusBody),
        responses: {
          "200": { description: "changed and unchanged ids, and the transactions that recorded the change" },
          "403": { description: "Some documents are of a type this key may not handle; nothing was changed" },
          "404": { description: "Some ids are unknown; nothing was changed (problems list them)" },
          "409": { description: "Some documents cannot make this change; nothing was changed (problems list them)" },
        },
      },
    },
    "/api/v1/subscriptions": {
      post: {
        summary: "Register a webhook for status changes of some documents, or of a department's document type",
        description:
          "A relying-party key may follow any document id and any department's type (naming `department`); an officer key only its own department's documents and types; an admin key gets 403.",
        security,
        requestBody: json(subscriptionBody),
        responses: {
          "201": { description: "The subscription" },
          "400": { description: "Bad url or filter" },
          "403": { description: "Admin key, or an officer key outside its department" },
          "404": { description: "Unknown document type" },
        },
      },
      get: { summary: "This API key's subscriptions", security, responses: { "200": { description: "ok" } } },
    },
    "/api/v1/subscriptions/{id}": {
      get: {
        summary: "One subscription",
        security,
        parameters: idParam,
        responses: { "200": { description: "ok" }, "404": { description: "Not this key's" } },
      },
      delete: { summary: "Delete a subscription and its pending deliveries", security, parameters: idParam, responses: { "204": { description: "Deleted" } } },
    },
    "/api/v1/subscriptions/{id}/deliveries": {
      get: {
        summary: "Delivery log: each notification, its state and every attempt",
        security,
        parameters: idParam,
        responses: { "200": { description: "ok" } },
      },
    },
    "/.well-known/eproof-webhook-jwks.json": {
      get: { summary: "The key that signs webhook notifications (not a document-signing key)", responses: { "200": { description: "ok" } } },
    },
  };
}
