/** POST /api/v1/status-changes: one status change for many documents, in as few transactions as possible. */
import { Router } from "express";
import { isReasonCode } from "../../../domain/reason-codes.ts";
import { EProofError } from "../../../errors.ts";
import { changeStatusInBulk } from "../../../use-cases/change-status-in-bulk.ts";
import { officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps, OfficerHttpDeps } from "../http-deps.ts";
import { bulkStatusBody } from "../subscription-schemas.ts";
import { parseBody } from "../validate-body.ts";

export function bulkStatusRoutes(deps: HttpDeps, officerDeps: OfficerHttpDeps): Router {
  const router = Router();
  router.use("/api/v1/status-changes", requireOfficer(deps.store, deps.audit));
  router.post("/api/v1/status-changes", async (req, res) => {
    const officer = officerOf(res.locals);
    const body = parseBody(bulkStatusBody, req.body);
    const reasonCode = body.reasonCode ?? (body.action === "reinstate" ? 0 : 6);
    if (!isReasonCode(reasonCode)) throw new EProofError("BAD_REQUEST", `unknown reasonCode ${reasonCode}; see x-reason-codes in /openapi.json`);
    const result = await changeStatusInBulk(officerDeps.statusDeps, {
      department: officer.department,
      documentIds: body.ids,
      action: body.action,
      reason: body.reason,
      reasonCode,
      actor: officer.keyId,
      typeAllowed: (type) => officer.types.length === 0 || officer.types.includes(type),
    });
    res.json(result);
  });
  return router;
}
