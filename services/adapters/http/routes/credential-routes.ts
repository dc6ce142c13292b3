/**
 * The public documents the credential exports point to (no authentication): each department's JWT VC
 * Issuer Metadata with its keys, the SD-JWT VC Type Metadata (vct), the document types' JSON Schemas
 * (credentialSchema: the schema whose keccak256 is registered on chain) and the e-Proof JSON-LD context.
 */
import type { Router } from "express";
import { z } from "zod";
import { credentialTypeName, issuerUrl } from "../../../domain/credential-locations.ts";
import { eproofContext, typeMetadata } from "../../../domain/credential-metadata.ts";
import { type DocumentTypeDefinition, documentTypes } from "../../../domain/document-types.ts";
import { EProofError } from "../../../errors.ts";
import { type ApiDescription, describedRoutes } from "../api-description.ts";
import type { HttpDeps } from "../http-deps.ts";
import { jsonResponse, jwksSchema, problem } from "../response-schemas.ts";

const typeParams = z.object({
  type: z.string().meta({ description: "A document type", example: "licence" }),
  version: z.string().meta({ description: "Its version", example: "1" }),
});
const jsonDocument = (description: string, mediaType: string) => ({
  description,
  headers: z.object({ "Cache-Control": z.string() }),
  content: { [mediaType]: { schema: z.record(z.string(), z.unknown()) } },
});
const unknownType = problem("No such document type and version (NOT_FOUND)");

/** The type and version a path names; NOT_FOUND otherwise (only version 1 of each type exists). */
function typeAt(type: string, version: string): DocumentTypeDefinition {
  const definition = documentTypes.get(type);
  if (!definition || String(definition.version) !== version)
    throw new EProofError("NOT_FOUND", `no document type ${type.slice(0, 40)}@${version.slice(0, 10)}`);
  return definition;
}

export function credentialRoutes(deps: Pick<HttpDeps, "config" | "keys">, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  const publicUrl = deps.config.publicUrl;
  const cached = "public, max-age=300";

  // draft-ietf-oauth-sd-jwt-vc §5: the issuer's keys, by the well-known path inserted before the issuer URL's path.
  routes.get(
    "/.well-known/jwt-vc-issuer/issuers/:department",
    {
      summary: "JWT VC Issuer Metadata of a department (draft-ietf-oauth-sd-jwt-vc): its issuer URL and every signing key it has published",
      tags: ["credentials"],
      requestParams: { path: z.object({ department: z.string().meta({ example: "DEMO" }) }) },
      responses: {
        "200": jsonResponse(
          "The issuer (the `iss` of its SD-JWT VCs) and its keys",
          z.object({ issuer: z.string(), jwks: jwksSchema }).meta({ id: "JwtVcIssuerMetadata" }),
        ),
        "404": problem("No department with a published key (NOT_FOUND)"),
      },
    },
    async (req, res) => {
      const department = req.params.department;
      const keys = (await deps.keys.jwks()).keys.filter((key) => key.dept === department);
      if (keys.length === 0) throw new EProofError("NOT_FOUND", `no issuer ${department.slice(0, 40)} with a published key`);
      res.set("Cache-Control", "public, max-age=60").json({ issuer: issuerUrl(publicUrl, department), jwks: { keys } });
    },
  );

  routes.get(
    "/credentials/types/:type/:version",
    {
      summary: "SD-JWT VC Type Metadata of a document type (what an SD-JWT VC's `vct` names)",
      tags: ["credentials"],
      requestParams: { path: typeParams },
      responses: { "200": jsonDocument("The type metadata: name, description, display (en, zh-HK), claims, schema", "application/json"), "404": unknownType },
    },
    (req, res) => {
      res.set("Cache-Control", cached).json(typeMetadata(publicUrl, typeAt(req.params.type, req.params.version)));
    },
  );

  routes.get(
    "/credentials/schemas/:type/:version",
    {
      summary: "The JSON Schema of a document type: exactly the schema whose keccak256 (RFC 8785) is registered on chain",
      tags: ["credentials"],
      requestParams: { path: typeParams },
      responses: { "200": jsonDocument("The JSON Schema (a VC 2.0 `credentialSchema`)", "application/schema+json"), "404": unknownType },
    },
    (req, res) => {
      const type = typeAt(req.params.type, req.params.version);
      res
        .type("application/schema+json")
        .set("Cache-Control", cached)
        // Exactly the schema whose keccak256(JCS) is registered on chain: nothing added, so its hash can be checked.
        .send(JSON.stringify(type.jsonSchema));
    },
  );

  routes.get(
    "/credentials/context/v1",
    {
      summary: "The e-Proof JSON-LD context of the VC 2.0 exports",
      tags: ["credentials"],
      responses: { "200": jsonDocument("The JSON-LD context", "application/ld+json") },
    },
    (_req, res) => {
      res
        .type("application/ld+json")
        .set("Cache-Control", cached)
        .send(JSON.stringify(eproofContext(publicUrl, documentTypes.values(), credentialTypeName)));
    },
  );

  return routes.router;
}
