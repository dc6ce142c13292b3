/**
 * The public, personal-data-free status lookup by document id: what the verify page links to from a
 * SUPERSEDED verdict ("replaced by a newer document"). No authentication; no claim field but the
 * validity window is ever in the answer (see use-cases/public-document-status.ts).
 */
import type { Router } from "express";
import { z } from "zod";
import { isDocumentId } from "../../../domain/types.ts";
import { EProofError } from "../../../errors.ts";
import { awaitAnchoredCopy } from "../../../use-cases/document-files.ts";
import { publicDocumentStatus } from "../../../use-cases/public-document-status.ts";
import { type ApiDescription, describedRoutes } from "../api-description.ts";
import type { HttpDeps } from "../http-deps.ts";
import { sendNotYetAnchored } from "../not-yet-anchored.ts";
import { chainUnavailable, jsonResponse, notYetAnchored, problem, proofSchema, publicStatusSchema, rateLimited } from "../response-schemas.ts";

export const PUBLIC_STATUS_PATH = "/api/v1/public/documents/:id/status";
export const PUBLIC_PROOF_PATH = "/api/v1/public/documents/:id/proof";

const idParams = z.object({
  id: z.string().meta({ description: "The document id: 32 lowercase hex characters", example: "0123456789abcdef0123456789abcdef" }),
});

export function publicStatusRoutes(deps: HttpDeps, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  routes.get(
    PUBLIC_STATUS_PATH,
    {
      summary: "A document's public status by id: type, issuing department, validity window and the ledger's status (no personal data)",
      description:
        "What a verifier may learn about a document without holding it, e.g. the successor of a replaced document: never the holder or any other claim field. The status is read from the chain.",
      tags: ["verify"],
      requestParams: { path: idParams },
      responses: {
        "200": jsonResponse("The document's public status", publicStatusSchema),
        "400": problem("Malformed id (BAD_REQUEST)"),
        "404": problem("No document with this id was issued here (NOT_FOUND)"),
        "429": rateLimited,
      },
    },
    async (req, res) => {
      const status = await publicDocumentStatus(deps, String(req.params.id));
      const name = deps.departmentName(status.issuer);
      // The status can change at any block: a cache must ask again.
      res.set("Cache-Control", "no-cache").json({ ...status, issuer: { code: status.issuer, name: { en: name.en, "zh-HK": name.zhHK } } });
    },
  );
  // The anchor of any document this service issued: chain, registry, root, Merkle path, transaction
  // and block — hashes and chain facts only, no personal data. It completes a copy saved before
  // anchoring (`npx eproof verify --service`), after which that copy verifies with the chain alone.
  routes.get(
    PUBLIC_PROOF_PATH,
    {
      summary: "The anchor of a document this service issued: chain, registry, root, Merkle path, transaction, block (no personal data)",
      description:
        "Completes a copy saved before anchoring (npx eproof verify --service): put `anchor` into the e-Proof file and it verifies with the chain alone.",
      tags: ["verify"],
      requestParams: { path: idParams },
      responses: {
        "200": jsonResponse("The document's anchor", proofSchema),
        "202": notYetAnchored,
        "400": problem("Malformed id (BAD_REQUEST)"),
        "404": problem("No document with this id was issued here (NOT_FOUND)"),
        "429": rateLimited,
        "503": chainUnavailable,
      },
    },
    async (req, res) => {
      const id = String(req.params.id);
      if (!isDocumentId(id)) throw new EProofError("BAD_REQUEST", "a document id is 32 lowercase hex characters");
      const lookup = async () => {
        const stored = await deps.store.getDocument(id);
        if (!stored) throw new EProofError("NOT_FOUND", `this service issued no document ${id}`);
        return stored;
      };
      const copy = await awaitAnchoredCopy(lookup, deps.trust, { waitMs: deps.config.anchoring.downloadWaitMs, clock: deps.clock });
      if (!copy.anchored) {
        sendNotYetAnchored(res, id, copy.retryAfterSeconds);
        return;
      }
      // A chain rolled back re-anchors the same root in another transaction: a cache must ask again.
      res.set("Cache-Control", "no-cache").json({ id, anchor: copy.anchor });
    },
  );
  return routes.router;
}
