/**
 * The public, personal-data-free status lookup by document id: what the verify page links to from a
 * SUPERSEDED verdict ("replaced by a newer document"). No authentication; no claim field but the
 * validity window is ever in the answer (see use-cases/public-document-status.ts).
 */
import { Router } from "express";
import { isDocumentId } from "../../../domain/types.ts";
import { EProofError } from "../../../errors.ts";
import { awaitAnchoredCopy } from "../../../use-cases/document-files.ts";
import { publicDocumentStatus } from "../../../use-cases/public-document-status.ts";
import type { HttpDeps } from "../http-deps.ts";
import { sendNotYetAnchored } from "../not-yet-anchored.ts";

export const PUBLIC_STATUS_PATH = "/api/v1/public/documents/:id/status";
export const PUBLIC_PROOF_PATH = "/api/v1/public/documents/:id/proof";

export function publicStatusRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.get(PUBLIC_STATUS_PATH, async (req, res) => {
    const status = await publicDocumentStatus(deps, String(req.params.id));
    const name = deps.departmentName(status.issuer);
    // The status can change at any block: a cache must ask again.
    res.set("Cache-Control", "no-cache").json({ ...status, issuer: { code: status.issuer, name: { en: name.en, "zh-HK": name.zhHK } } });
  });
  // The anchor of any document this service issued: chain, registry, root, Merkle path, transaction
  // and block — hashes and chain facts only, no personal data. It completes a copy saved before
  // anchoring (`npx eproof verify --service`), after which that copy verifies with the chain alone.
  router.get(PUBLIC_PROOF_PATH, async (req, res) => {
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
  });
  return router;
}
