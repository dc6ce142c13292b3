/**
 * The platform administrator's API under /api/v1/admin: departments, document-type grants, signing
 * keys, anchoring accounts, API keys and the audit log. Every route needs an API key with role
 * "admin" (`Authorization: Bearer <adminApiKey>`); an officer's key gets 403. The routes only parse
 * and answer: services/use-cases/administer.ts does the work and writes the audit log.
 */
import { Router } from "express";
import { EProofError } from "../../../errors.ts";
import type { AuditLog } from "../../../ports.ts";
import type { Administration } from "../../../use-cases/administer.ts";
import { anchorerBody, apiKeyBody, compromisedBody, grantBody, onboardBody, publishableReasonsBody, rotateBody } from "../admin-request-schemas.ts";
import { adminOf, requireAdmin } from "../auth.ts";
import type { HttpDeps } from "../http-deps.ts";
import { parseBody } from "../validate-body.ts";

function queryString(value: unknown, field: string, pattern: RegExp): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !pattern.test(value)) throw new EProofError("BAD_REQUEST", `query parameter ${field} is not valid`);
  return value;
}

export function adminRoutes(deps: Pick<HttpDeps, "store"> & { administration: Administration; audit: AuditLog }): Router {
  const router = Router();
  const admin = deps.administration;
  router.use("/api/v1/admin", requireAdmin(deps.store, deps.audit));
  const actor = (locals: Record<string, unknown>) => adminOf(locals);

  router.post("/api/v1/admin/departments", async (req, res) => {
    const body = parseBody(onboardBody, req.body);
    res.status(201).json(await admin.onboardDepartment(actor(res.locals), body));
  });

  router.get("/api/v1/admin/departments/:code", async (req, res) => {
    res.json(await admin.describeDepartment(req.params.code));
  });

  router.put("/api/v1/admin/departments/:code/publishable-reasons", async (req, res) => {
    const body = parseBody(publishableReasonsBody, req.body);
    res.json(await admin.setPublishableReasons(actor(res.locals), req.params.code, body.reasonCodes));
  });

  router.post("/api/v1/admin/departments/:code/suspend", async (req, res) => {
    res.json(await admin.setDepartmentSuspended(actor(res.locals), req.params.code, true));
  });

  router.post("/api/v1/admin/departments/:code/reinstate", async (req, res) => {
    res.json(await admin.setDepartmentSuspended(actor(res.locals), req.params.code, false));
  });

  router.post("/api/v1/admin/departments/:code/types", async (req, res) => {
    const body = parseBody(grantBody, req.body);
    res.json(await admin.grantType(actor(res.locals), req.params.code, body.type));
  });

  router.delete("/api/v1/admin/departments/:code/types/:type", async (req, res) => {
    res.json(await admin.withdrawType(actor(res.locals), req.params.code, req.params.type));
  });

  router.post("/api/v1/admin/departments/:code/keys", async (req, res) => {
    res.status(201).json(await admin.registerSigningKey(actor(res.locals), req.params.code));
  });

  router.post("/api/v1/admin/departments/:code/keys/rotate", async (req, res) => {
    const body = parseBody(rotateBody, req.body ?? {});
    res.json(await admin.rotateSigningKey(actor(res.locals), req.params.code, body.graceSeconds));
  });

  router.post("/api/v1/admin/departments/:code/keys/:kid/compromised", async (req, res) => {
    const body = parseBody(compromisedBody, req.body);
    res.json(await admin.markKeyCompromised(actor(res.locals), req.params.code, req.params.kid, body.at));
  });

  router.post("/api/v1/admin/departments/:code/anchorers", async (req, res) => {
    const body = parseBody(anchorerBody, req.body ?? {});
    // No account named: the department's own account in custody (generated if it has none).
    res.json(
      body.account
        ? await admin.addAnchorer(actor(res.locals), req.params.code, body.account)
        : await admin.provideAnchoringAccount(actor(res.locals), req.params.code),
    );
  });

  router.post("/api/v1/admin/departments/:code/anchorers/rotate", async (req, res) => {
    res.json(await admin.rotateAnchoringAccount(actor(res.locals), req.params.code));
  });

  router.delete("/api/v1/admin/departments/:code/anchorers/:account", async (req, res) => {
    res.json(await admin.removeAnchorer(actor(res.locals), req.params.code, req.params.account));
  });

  router.get("/api/v1/admin/api-keys", async (_req, res) => {
    res.json({ keys: await admin.listApiKeys() });
  });

  router.post("/api/v1/admin/api-keys", async (req, res) => {
    const body = parseBody(apiKeyBody, req.body);
    res.status(201).json(await admin.createApiKey(actor(res.locals), body));
  });

  router.post("/api/v1/admin/api-keys/:id/revoke", async (req, res) => {
    res.json(await admin.revokeApiKey(actor(res.locals), req.params.id));
  });

  router.get("/api/v1/admin/audit", async (req, res) => {
    const q = req.query;
    const after = queryString(q.after, "after", /^\d{1,15}$/);
    const limit = queryString(q.limit, "limit", /^\d{1,4}$/);
    const entries = await deps.audit.list({
      department: queryString(q.department, "department", /^[A-Z0-9*-]{1,31}$/),
      actor: queryString(q.actor, "actor", /^[\w*.-]{1,80}$/),
      action: queryString(q.action, "action", /^[a-z.]{1,40}$/),
      documentId: queryString(q.documentId, "documentId", /^[0-9a-f]{32}$/),
      ...(after ? { after: Number(after) } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
    res.json({ entries, next: entries.length > 0 ? entries[entries.length - 1]?.seq : null });
  });

  return router;
}
