/**
 * The platform administrator's API under /api/v1/admin: departments, document-type grants, signing
 * keys, anchoring accounts, API keys and the audit log. Every route needs an API key with role
 * "admin" (`Authorization: Bearer <adminApiKey>`); an officer's key gets 403. The routes only parse
 * and answer: services/use-cases/administer.ts does the work and writes the audit log.
 */
import type { Router } from "express";
import { z } from "zod";
import { EProofError } from "../../../errors.ts";
import type { AuditLog } from "../../../ports.ts";
import type { Administration } from "../../../use-cases/administer.ts";
import { anchorerBody, apiKeyBody, compromisedBody, grantBody, onboardBody, publishableReasonsBody, rotateBody } from "../admin-request-schemas.ts";
import { type ApiDescription, describedRoutes, type RouteOperation } from "../api-description.ts";
import { adminOf, requireAdmin } from "../auth.ts";
import type { HttpDeps } from "../http-deps.ts";
import {
  anchorerChangeSchema,
  apiKeyRevokedSchema,
  apiKeySchema,
  auditPageSchema,
  authRefusals,
  bodyRefusals,
  chainUnavailable,
  departmentSchema,
  departmentStatusSchema,
  jsonResponse,
  keyCompromisedSchema,
  keyRotationSchema,
  problem,
  publishableReasonsSchema,
  signingKeySchema,
  typeGrantSchema,
} from "../response-schemas.ts";
import { parseBody } from "../validate-body.ts";

function queryString(value: unknown, field: string, pattern: RegExp): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !pattern.test(value)) throw new EProofError("BAD_REQUEST", `query parameter ${field} is not valid`);
  return value;
}

const code = z.string().meta({ description: "Department code: 2-31 of A-Z, 0-9 and -", example: "DEMO" });
const refusals = {
  ...authRefusals,
  "403": problem("Not an admin API key (FORBIDDEN)"),
  "404": problem("Unknown department, type, key or API key (NOT_FOUND, UNKNOWN_TYPE)"),
  "409": problem("Refused by the chain, the custom error named (CHAIN_REJECTED), or no change to make"),
  "503": chainUnavailable,
};

/** An admin operation on a department: `params` are the path's beyond `code`, `body` the zod schema the handler parses. */
function op(
  summary: string,
  options: { body?: z.ZodType; bodyOptional?: boolean; params?: Record<string, z.ZodString>; status?: "200" | "201"; answer: z.ZodType },
): RouteOperation {
  return {
    summary,
    tags: ["admin"],
    security: ["adminApiKey"],
    requestParams: { path: z.object({ code, ...options.params }) },
    ...(options.body ? { requestBody: { required: options.bodyOptional !== true, content: { "application/json": { schema: options.body } } } } : {}),
    responses: {
      [options.status ?? "200"]: jsonResponse("Done; chain transactions are named", options.answer),
      ...(options.body ? bodyRefusals : {}),
      ...refusals,
    },
  };
}

const auditQuery = z.object({
  department: z
    .string()
    .regex(/^[A-Z0-9*-]{1,31}$/)
    .optional(),
  actor: z
    .string()
    .regex(/^[\w*.-]{1,80}$/)
    .optional(),
  action: z
    .string()
    .regex(/^[a-z.]{1,40}$/)
    .optional(),
  documentId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  after: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional()
    .meta({ description: "The seq after which to list (the previous page's next)" }),
  limit: z
    .string()
    .regex(/^\d{1,4}$/)
    .optional(),
});

export function adminRoutes(deps: Pick<HttpDeps, "store"> & { administration: Administration; audit: AuditLog }, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  const admin = deps.administration;
  routes.router.use("/api/v1/admin", requireAdmin(deps.store, deps.audit));
  const actor = (locals: Record<string, unknown>) => adminOf(locals);

  routes.post(
    "/api/v1/admin/departments",
    {
      ...op("Onboard a department: register it, grant types, add this service's anchorer, register a signing key", {
        body: onboardBody,
        status: "201",
        answer: departmentSchema,
      }),
      requestParams: {},
    },
    async (req, res) => {
      const body = parseBody(onboardBody, req.body);
      res.status(201).json(await admin.onboardDepartment(actor(res.locals), body));
    },
  );

  routes.get(
    "/api/v1/admin/departments/:code",
    op("A department as the chain records it: status, grants, key windows, anchorers", { answer: departmentSchema }),
    async (req, res) => {
      res.json(await admin.describeDepartment(req.params.code));
    },
  );

  routes.put(
    "/api/v1/admin/departments/:code/publishable-reasons",
    op("Which reason codes the public verify answer may name (none by default; reasons never go on chain)", {
      body: publishableReasonsBody,
      answer: publishableReasonsSchema,
    }),
    async (req, res) => {
      const body = parseBody(publishableReasonsBody, req.body);
      res.json(await admin.setPublishableReasons(actor(res.locals), req.params.code, body.reasonCodes));
    },
  );

  routes.post(
    "/api/v1/admin/departments/:code/suspend",
    op("Suspend: no new issuance; existing documents keep their status", { answer: departmentStatusSchema }),
    async (req, res) => {
      res.json(await admin.setDepartmentSuspended(actor(res.locals), req.params.code, true));
    },
  );

  routes.post("/api/v1/admin/departments/:code/reinstate", op("Reinstate a suspended department", { answer: departmentStatusSchema }), async (req, res) => {
    res.json(await admin.setDepartmentSuspended(actor(res.locals), req.params.code, false));
  });

  routes.post(
    "/api/v1/admin/departments/:code/types",
    op("Grant a document type (its schema hash goes on chain)", { body: grantBody, answer: typeGrantSchema }),
    async (req, res) => {
      const body = parseBody(grantBody, req.body);
      res.json(await admin.grantType(actor(res.locals), req.params.code, body.type));
    },
  );

  routes.delete(
    "/api/v1/admin/departments/:code/types/:type",
    op("Withdraw a document type", { params: { type: z.string() }, answer: typeGrantSchema }),
    async (req, res) => {
      res.json(await admin.withdrawType(actor(res.locals), req.params.code, req.params.type));
    },
  );

  routes.post(
    "/api/v1/admin/departments/:code/keys",
    op("Generate and register a signing key, valid from the latest block time", { status: "201", answer: signingKeySchema }),
    async (req, res) => {
      res.status(201).json(await admin.registerSigningKey(actor(res.locals), req.params.code));
    },
  );

  routes.post(
    "/api/v1/admin/departments/:code/keys/rotate",
    op("Rotate: a new key signs; the old ones are retired after graceSeconds (default 600)", {
      body: rotateBody,
      bodyOptional: true,
      answer: keyRotationSchema,
    }),
    async (req, res) => {
      const body = parseBody(rotateBody, req.body ?? {});
      res.json(await admin.rotateSigningKey(actor(res.locals), req.params.code, body.graceSeconds));
    },
  );

  routes.post(
    "/api/v1/admin/departments/:code/keys/:kid/compromised",
    op("Mark a key compromised as of a time (may be past): batches anchored from then on fail", {
      body: compromisedBody,
      params: { kid: z.string() },
      answer: keyCompromisedSchema,
    }),
    async (req, res) => {
      const body = parseBody(compromisedBody, req.body);
      res.json(await admin.markKeyCompromised(actor(res.locals), req.params.code, req.params.kid, body.at));
    },
  );

  routes.post(
    "/api/v1/admin/departments/:code/anchorers",
    op("Add an anchoring account (default: the department's own account in custody; an account anchors for one department only)", {
      body: anchorerBody,
      bodyOptional: true,
      answer: anchorerChangeSchema,
    }),
    async (req, res) => {
      const body = parseBody(anchorerBody, req.body ?? {});
      // No account named: the department's own account in custody (generated if it has none).
      res.json(
        body.account
          ? await admin.addAnchorer(actor(res.locals), req.params.code, body.account)
          : await admin.provideAnchoringAccount(actor(res.locals), req.params.code),
      );
    },
  );

  routes.post(
    "/api/v1/admin/departments/:code/anchorers/rotate",
    op("A new anchoring account for the department, generated in custody; the previous one is removed on chain", { answer: anchorerChangeSchema }),
    async (req, res) => {
      res.json(await admin.rotateAnchoringAccount(actor(res.locals), req.params.code));
    },
  );

  routes.delete(
    "/api/v1/admin/departments/:code/anchorers/:account",
    op("Remove an anchoring account", { params: { account: z.string() }, answer: anchorerChangeSchema }),
    async (req, res) => {
      res.json(await admin.removeAnchorer(actor(res.locals), req.params.code, req.params.account));
    },
  );

  routes.get(
    "/api/v1/admin/api-keys",
    {
      summary: "List API keys (never their secrets)",
      tags: ["admin"],
      security: ["adminApiKey"],
      responses: { "200": jsonResponse("The keys", z.object({ keys: z.array(apiKeySchema) })), ...refusals },
    },
    async (_req, res) => {
      res.json({ keys: await admin.listApiKeys() });
    },
  );

  routes.post(
    "/api/v1/admin/api-keys",
    {
      summary: "Create an officer key (one department, optional types), a relying-party key or an admin key; the secret is shown once",
      tags: ["admin"],
      security: ["adminApiKey"],
      requestBody: { required: true, content: { "application/json": { schema: apiKeyBody } } },
      responses: {
        "201": jsonResponse("Created: apiKey is the secret, shown only now", apiKeySchema.extend({ apiKey: z.string() }).meta({ id: "CreatedApiKey" })),
        ...bodyRefusals,
        ...refusals,
      },
    },
    async (req, res) => {
      const body = parseBody(apiKeyBody, req.body);
      res.status(201).json(await admin.createApiKey(actor(res.locals), body));
    },
  );

  routes.post(
    "/api/v1/admin/api-keys/:id/revoke",
    {
      summary: "Revoke an API key (at once, for good)",
      tags: ["admin"],
      security: ["adminApiKey"],
      requestParams: { path: z.object({ id: z.string() }) },
      responses: { "200": jsonResponse("Revoked", apiKeyRevokedSchema), ...refusals },
    },
    async (req, res) => {
      res.json(await admin.revokeApiKey(actor(res.locals), req.params.id));
    },
  );

  routes.get(
    "/api/v1/admin/audit",
    {
      summary: "Read the append-only audit log of officer and admin actions",
      tags: ["admin"],
      security: ["adminApiKey"],
      requestParams: { query: auditQuery },
      responses: {
        "200": jsonResponse("entries (oldest first) and next (the seq to pass as after)", auditPageSchema),
        "400": bodyRefusals["400"],
        ...refusals,
      },
    },
    async (req, res) => {
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
    },
  );

  return routes.router;
}
