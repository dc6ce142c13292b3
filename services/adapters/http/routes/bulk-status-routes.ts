/** POST /api/v1/status-changes: one status change for many documents, in as few transactions as possible. */
import type { Router } from "express";
import { isReasonCode } from "../../../domain/reason-codes.ts";
import { EProofError } from "../../../errors.ts";
import { changeStatusInBulk } from "../../../use-cases/change-status-in-bulk.ts";
import { type ApiDescription, describedRoutes } from "../api-description.ts";
import { officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps, OfficerHttpDeps } from "../http-deps.ts";
import { authRefusals, bodyRefusals, bulkStatusResultSchema, chainUnavailable, jsonResponse, problem } from "../response-schemas.ts";
import { bulkStatusBody } from "../subscription-schemas.ts";
import { parseBody } from "../validate-body.ts";

export function bulkStatusRoutes(deps: HttpDeps, officerDeps: OfficerHttpDeps, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  routes.router.use("/api/v1/status-changes", requireOfficer(deps.store, deps.audit));
  routes.post(
    "/api/v1/status-changes",
    {
      summary: "Suspend, reinstate or revoke many documents at once (one chain transaction per 250 ids)",
      tags: ["officer"],
      security: ["officerApiKey"],
      requestBody: { required: true, content: { "application/json": { schema: bulkStatusBody } } },
      responses: {
        "200": jsonResponse("Changed and unchanged ids, and the transactions that recorded the change", bulkStatusResultSchema),
        ...bodyRefusals,
        ...authRefusals,
        "403": problem("Some documents are of a type this key may not handle; nothing was changed (FORBIDDEN)"),
        "404": problem("Some ids are unknown; nothing was changed, error.problems lists them (NOT_FOUND)"),
        "409": problem("Some documents cannot make this change; nothing was changed (INVALID_STATUS_CHANGE, CHAIN_REJECTED)"),
        "503": chainUnavailable,
      },
    },
    async (req, res) => {
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
    },
  );
  return routes.router;
}
