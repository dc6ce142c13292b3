/**
 * /openapi.json, generated (zod-openapi) from what the routes recorded when they were mounted
 * (api-description.ts): the zod schemas that validate requests are the ones documented, and an
 * instance documents exactly the routes it serves (a public instance: no officer or admin routes).
 */
import { createDocument, type oas31 } from "zod-openapi";
import type { Config } from "../../config.ts";
import { documentTypes } from "../../domain/document-types.ts";
import { REASON_CODES } from "../../domain/reason-codes.ts";
import { type ApiDescription, SECURITY_SCHEMES } from "./api-description.ts";

const TAGS = [
  { name: "verify", description: "Verification for anyone: no API key" },
  { name: "trust", description: "What a verifier pins: chain, registries, keys" },
  { name: "officer", description: "A department's officers: issue, look up, change status, download" },
  { name: "subscriptions", description: "Webhooks on status changes, for officers and relying parties" },
  { name: "admin", description: "The platform administrator" },
  { name: "page", description: "The citizen's verify page (HTML)" },
  { name: "operations", description: "Health, metrics and this document" },
];

export type OpenApiDocument = ReturnType<typeof createDocument>;

export function buildOpenApi(api: ApiDescription, config: Pick<Config, "publicUrl">): OpenApiDocument {
  // The document types' own JSON Schemas (what `data` must be for each type), with the hash that goes on chain.
  const typeSchemas = Object.fromEntries(
    [...documentTypes.values()].map((t) => [`${t.id}-v${t.version}`, { ...(t.jsonSchema as oas31.SchemaObject), "x-schema-hash": t.schemaHash }]),
  );
  const paths = api.paths();
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "e-Proof API",
      version: "1.0.0",
      description:
        "Issue and verify tamper-evident government documents. Authenticated routes take `Authorization: Bearer <apiKey>`; the key's role (officer, relying party, admin) decides which. Errors are problem JSON with a stable `error.code`.",
    },
    servers: [{ url: config.publicUrl }],
    tags: TAGS.filter((tag) => Object.values(paths).some((item) => Object.values(item).some((op) => (op as { tags?: string[] }).tags?.includes(tag.name)))),
    "x-reason-codes": REASON_CODES,
    components: { securitySchemes: { ...SECURITY_SCHEMES }, schemas: typeSchemas },
    paths,
  });
}
