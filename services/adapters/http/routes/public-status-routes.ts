/**
 * The public, personal-data-free status lookup by document id: what the verify page links to from a
 * SUPERSEDED verdict ("replaced by a newer document"). No authentication; no claim field but the
 * validity window is ever in the answer (see use-cases/public-document-status.ts).
 */
import { Router } from "express";
import { publicDocumentStatus } from "../../../use-cases/public-document-status.ts";
import type { HttpDeps } from "../http-deps.ts";

export const PUBLIC_STATUS_PATH = "/api/v1/public/documents/:id/status";

export function publicStatusRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.get(PUBLIC_STATUS_PATH, async (req, res) => {
    const status = await publicDocumentStatus(deps, String(req.params.id));
    const name = deps.departmentName(status.issuer);
    // The status can change at any block: a cache must ask again.
    res.set("Cache-Control", "no-cache").json({ ...status, issuer: { code: status.issuer, name: { en: name.en, "zh-HK": name.zhHK } } });
  });
  return router;
}
