/**
 * Appends every successful officer action (issue, batch issue, revoke, suspend, reinstate,
 * supersede, bulk status change) to the audit log before the answer is sent, so an acknowledged action is always in the
 * log. Only ids, types and codes are recorded: never document data, holder details or reason text
 * (a free-text reason may name a person). Subscriptions, open to relying parties too, are audited
 * by their routes (subscription-routes.ts).
 */
import type { RequestHandler } from "express";
import type { AuditEntry, AuditLog } from "../../ports.ts";
import type { Officer } from "./auth.ts";

const STATUS_ACTION = /^\/api\/v1\/documents\/([0-9a-f]{32})\/(revoke|suspend|reinstate|supersede)$/;

type Body = Record<string, unknown> | undefined;

function entriesFor(path: string, officer: Officer, body: Body, requestBody: Body): AuditEntry[] {
  const base = { actor: officer.keyId, role: "officer" as const, department: officer.department };
  if (path === "/api/v1/documents" && typeof body?.id === "string") {
    return [{ ...base, action: "document.issue", documentId: body.id, details: { type: String(body.type), replayed: body.replayed === true } }];
  }
  if (path === "/api/v1/batches" && Array.isArray(body?.documents)) {
    return (body.documents as Array<{ id: string; replayed?: boolean }>)
      .filter((d) => !d.replayed)
      .map((d) => ({ ...base, action: "document.issue", documentId: d.id, details: { type: String(body.type), batchRequest: true } }));
  }
  if (path === "/api/v1/status-changes" && Array.isArray(body?.changed)) {
    const details: AuditEntry["details"] = { bulk: true };
    if (typeof requestBody?.reasonCode === "number") details.reasonCode = requestBody.reasonCode;
    return (body.changed as string[]).map((documentId) => ({ ...base, action: `document.${String(requestBody?.action)}`, documentId, details }));
  }
  const match = STATUS_ACTION.exec(path);
  if (match && body) {
    const details: AuditEntry["details"] = { txHash: typeof body.txHash === "string" ? body.txHash : null };
    if (typeof requestBody?.reasonCode === "number") details.reasonCode = requestBody.reasonCode;
    if (typeof body.successor === "string") details.successor = body.successor;
    return [{ ...base, action: `document.${match[2]}`, documentId: String(match[1]), details }];
  }
  return [];
}

export function auditOfficerActions(audit: AuditLog): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "POST") {
      next();
      return;
    }
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const officer = res.locals.officer as Officer | undefined;
      const entries = officer && res.statusCode < 300 ? entriesFor(req.path, officer, body as Body, req.body as Body) : [];
      if (entries.length === 0) return send(body);
      audit.append(entries).then(
        () => send(body),
        (error: unknown) => next(error),
      );
      return res;
    };
    next();
  };
}
