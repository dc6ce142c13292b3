/**
 * The public documents the credential exports point to (no authentication): each department's JWT VC
 * Issuer Metadata with its keys, the SD-JWT VC Type Metadata (vct), the document types' JSON Schemas
 * (credentialSchema: the schema whose keccak256 is registered on chain) and the e-Proof JSON-LD context.
 */
import { Router } from "express";
import { credentialTypeName, issuerUrl } from "../../../domain/credential-locations.ts";
import { eproofContext, typeMetadata } from "../../../domain/credential-metadata.ts";
import { type DocumentTypeDefinition, documentTypes } from "../../../domain/document-types.ts";
import { EProofError } from "../../../errors.ts";
import type { HttpDeps } from "../http-deps.ts";

/** The type and version a path names; NOT_FOUND otherwise (only version 1 of each type exists). */
function typeAt(type: string, version: string): DocumentTypeDefinition {
  const definition = documentTypes.get(type);
  if (!definition || String(definition.version) !== version)
    throw new EProofError("NOT_FOUND", `no document type ${type.slice(0, 40)}@${version.slice(0, 10)}`);
  return definition;
}

export function credentialRoutes(deps: Pick<HttpDeps, "config" | "keys">): Router {
  const router = Router();
  const publicUrl = deps.config.publicUrl;
  const cached = "public, max-age=300";

  // draft-ietf-oauth-sd-jwt-vc §5: the issuer's keys, by the well-known path inserted before the issuer URL's path.
  router.get("/.well-known/jwt-vc-issuer/issuers/:department", async (req, res) => {
    const department = req.params.department;
    const keys = (await deps.keys.jwks()).keys.filter((key) => key.dept === department);
    if (keys.length === 0) throw new EProofError("NOT_FOUND", `no issuer ${department.slice(0, 40)} with a published key`);
    res.set("Cache-Control", "public, max-age=60").json({ issuer: issuerUrl(publicUrl, department), jwks: { keys } });
  });

  router.get("/credentials/types/:type/:version", (req, res) => {
    res.set("Cache-Control", cached).json(typeMetadata(publicUrl, typeAt(req.params.type, req.params.version)));
  });

  router.get("/credentials/schemas/:type/:version", (req, res) => {
    const type = typeAt(req.params.type, req.params.version);
    res
      .type("application/schema+json")
      .set("Cache-Control", cached)
      // Exactly the schema whose keccak256(JCS) is registered on chain: nothing added, so its hash can be checked.
      .send(JSON.stringify(type.jsonSchema));
  });

  router.get("/credentials/context/v1", (_req, res) => {
    res
      .type("application/ld+json")
      .set("Cache-Control", cached)
      .send(JSON.stringify(eproofContext(publicUrl, documentTypes.values(), credentialTypeName)));
  });

  return router;
}
