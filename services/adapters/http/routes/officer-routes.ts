/** The officer API: issue, look up, change status, download. Every route needs a department API key. */
import { type Request, type Response, Router } from "express";
import { isReasonCode } from "../../../domain/reason-codes.ts";
import { SD_JWT_VC_MEDIA_TYPE } from "../../../domain/sd-jwt-vc.ts";
import { collapseHistory } from "../../../domain/status-history.ts";
import { isDocumentId } from "../../../domain/types.ts";
import { VC_JWT_MEDIA_TYPE } from "../../../domain/vc-jwt.ts";
import { EProofError } from "../../../errors.ts";
import type { StoredDocument } from "../../../ports.ts";
import { changeStatus, type StatusAction, supersede } from "../../../use-cases/change-status.ts";
import type { CredentialExporter } from "../../../use-cases/credential-exports.ts";
import { awaitAnchoredCopy, eproofFile, qrLinkOf } from "../../../use-cases/document-files.ts";
import { issueDocuments } from "../../../use-cases/issue-documents.ts";
import { assertTypeAllowed, officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps, OfficerHttpDeps } from "../http-deps.ts";
import { sendNotYetAnchored } from "../not-yet-anchored.ts";
import { issueBatchBody, issueDocumentBody, statusChangeBody, supersedeBody } from "../request-schemas.ts";
import { parseBody } from "../validate-body.ts";

function links(publicUrl: string, id: string) {
  const base = `${publicUrl}/api/v1/documents/${id}`;
  return {
    self: base,
    eproof: `${base}/eproof.json`,
    pdf: `${base}/pdf`,
    qrPng: `${base}/qr.png`,
    qrSvg: `${base}/qr.svg`,
    sdJwtVc: `${base}/sd-jwt-vc`,
    vcJwt: `${base}/vc-jwt`,
  };
}

function exportsOf(officerDeps: OfficerHttpDeps): CredentialExporter {
  if (!officerDeps.exports) throw new EProofError("NOT_IMPLEMENTED", "this instance makes no credential exports");
  return officerDeps.exports;
}

function reasonCodeOf(value: number | undefined, fallback: number): number {
  const code = value ?? fallback;
  if (!isReasonCode(code)) throw new EProofError("BAD_REQUEST", `unknown reasonCode ${code}; see x-reason-codes in /openapi.json`);
  return code;
}

export function officerRoutes(deps: HttpDeps, officerDeps: OfficerHttpDeps): Router {
  const router = Router();
  router.use("/api/v1/documents", requireOfficer(deps.store, deps.audit));
  router.use("/api/v1/batches", requireOfficer(deps.store, deps.audit));

  async function ownDocument(id: string, department: string) {
    if (!isDocumentId(id)) throw new EProofError("NOT_FOUND", "a document id is 32 lowercase hex characters");
    const stored = await deps.store.getDocument(id);
    if (!stored || stored.department !== department) throw new EProofError("NOT_FOUND", `no document ${id} issued by ${department}`);
    return stored;
  }

  router.post("/api/v1/documents", async (req, res) => {
    const officer = officerOf(res.locals);
    const body = parseBody(issueDocumentBody, req.body);
    assertTypeAllowed(officer, body.type);
    const [issued] = await issueDocuments(officerDeps.issuance, {
      department: officer.department,
      type: body.type,
      items: [body.data],
      ...(body.idempotencyKey ? { idempotencyKeys: [body.idempotencyKey] } : {}),
    });
    if (!issued) throw new EProofError("INTERNAL", "issuance returned nothing");
    deps.metrics.documentsIssued.inc({ type: body.type });
    officerDeps.onAccepted();
    const stored = await deps.store.getDocument(issued.id);
    const verifyUrl = stored ? qrLinkOf(eproofFile(stored, deps.trust), deps.config.publicUrl) : undefined;
    res.status(issued.replayed ? 200 : 202).json({ ...issued, status: "PENDING", verifyUrl, links: links(deps.config.publicUrl, issued.id) });
  });

  router.post("/api/v1/batches", async (req, res) => {
    const officer = officerOf(res.locals);
    const body = parseBody(issueBatchBody(deps.config.maxBatchItems), req.body);
    assertTypeAllowed(officer, body.type);
    if (body.idempotencyKeys && body.idempotencyKeys.length !== body.items.length) {
      throw new EProofError("BAD_REQUEST", "idempotencyKeys must have one key per item");
    }
    const issued = await issueDocuments(officerDeps.issuance, {
      department: officer.department,
      type: body.type,
      items: body.items,
      ...(body.idempotencyKeys ? { idempotencyKeys: body.idempotencyKeys } : {}),
    });
    deps.metrics.documentsIssued.inc({ type: body.type }, issued.filter((d) => !d.replayed).length);
    officerDeps.onAccepted();
    res.status(202).json({
      type: body.type,
      count: issued.length,
      status: "PENDING",
      documents: issued.map((d) => ({ ...d, links: links(deps.config.publicUrl, d.id) })),
    });
  });

  router.get("/api/v1/documents/:id", async (req, res) => {
    const officer = officerOf(res.locals);
    const stored = await ownDocument(req.params.id, officer.department);
    const file = eproofFile(stored, deps.trust);
    res.json({
      id: stored.id,
      type: stored.type,
      department: stored.department,
      issuedAt: stored.issuedAt,
      anchoring: stored.batch?.state === "ANCHORED" ? "ANCHORED" : "PENDING",
      anchor: file.anchor ?? null,
      status: stored.status,
      history: collapseHistory(await deps.store.statusHistory(stored.id)),
      verifyUrl: qrLinkOf(file, deps.config.publicUrl),
      links: links(deps.config.publicUrl, stored.id),
    });
  });

  /**
   * A holder's copy is handed out only complete (anchor included: it verifies with the chain alone).
   * A download just after issuing waits briefly for the batch; past that, 202 says when to come back.
   */
  async function completeCopy(req: Request, res: Response): Promise<StoredDocument | null> {
    const department = officerOf(res.locals).department;
    const copy = await awaitAnchoredCopy(() => ownDocument(String(req.params.id), department), deps.trust, {
      waitMs: deps.config.anchoring.downloadWaitMs,
      clock: deps.clock,
    });
    if (copy.anchored) return copy.stored;
    sendNotYetAnchored(res, copy.stored.id, copy.retryAfterSeconds);
    return null;
  }

  router.get("/api/v1/documents/:id/eproof.json", async (req, res) => {
    const stored = await completeCopy(req, res);
    if (!stored) return;
    res
      .type("application/json")
      .set("Content-Disposition", `attachment; filename="eproof-${stored.id}.json"`)
      .send(JSON.stringify(eproofFile(stored, deps.trust), null, 2));
  });

  router.get("/api/v1/documents/:id/qr.png", async (req, res) => {
    const stored = await ownDocument(req.params.id, officerOf(res.locals).department);
    res.type("image/png").send(Buffer.from(await officerDeps.qr.png(qrLinkOf(eproofFile(stored, deps.trust), deps.config.publicUrl))));
  });

  router.get("/api/v1/documents/:id/qr.svg", async (req, res) => {
    const stored = await ownDocument(req.params.id, officerOf(res.locals).department);
    res.type("image/svg+xml").send(await officerDeps.qr.svg(qrLinkOf(eproofFile(stored, deps.trust), deps.config.publicUrl)));
  });

  router.get("/api/v1/documents/:id/pdf", async (req, res) => {
    const stored = await completeCopy(req, res);
    if (!stored) return;
    const file = eproofFile(stored, deps.trust);
    const qrPng = await officerDeps.qr.png(qrLinkOf(file, deps.config.publicUrl));
    const pdf = await officerDeps.pdf.documentPdf(file, qrPng, deps.departmentName(stored.department));
    res.type("application/pdf").set("Content-Disposition", `inline; filename="eproof-${stored.id}.pdf"`).send(Buffer.from(pdf));
  });

  // The credential exports (issue 15), made from the complete copy and signed with the department's current key.
  router.get("/api/v1/documents/:id/sd-jwt-vc", async (req, res) => {
    const exporter = exportsOf(officerDeps);
    const stored = await completeCopy(req, res);
    if (!stored) return;
    res
      .type(SD_JWT_VC_MEDIA_TYPE)
      .set("Content-Disposition", `attachment; filename="eproof-${stored.id}.sd-jwt"`)
      .set("Cache-Control", "no-store")
      .send(await exporter.sdJwtVcOf(stored));
  });

  router.get("/api/v1/documents/:id/vc-jwt", async (req, res) => {
    const exporter = exportsOf(officerDeps);
    const stored = await completeCopy(req, res);
    if (!stored) return;
    res
      .type(VC_JWT_MEDIA_TYPE)
      .set("Content-Disposition", `attachment; filename="eproof-${stored.id}.vc-jwt"`)
      .set("Cache-Control", "no-store")
      .send(await exporter.vcJwtOf(stored));
  });

  for (const action of ["revoke", "suspend", "reinstate"] as const satisfies StatusAction[]) {
    router.post(`/api/v1/documents/:id/${action}`, async (req, res) => {
      const officer = officerOf(res.locals);
      const body = parseBody(statusChangeBody, req.body);
      assertTypeAllowed(officer, (await ownDocument(req.params.id, officer.department)).type);
      const result = await changeStatus(officerDeps.statusDeps, {
        department: officer.department,
        documentId: req.params.id,
        action,
        reason: body.reason,
        reasonCode: reasonCodeOf(body.reasonCode, action === "reinstate" ? 0 : 6),
        actor: officer.keyId,
      });
      res.json(result);
    });
  }

  router.post("/api/v1/documents/:id/supersede", async (req, res) => {
    const officer = officerOf(res.locals);
    const body = parseBody(supersedeBody, req.body);
    const old = await ownDocument(req.params.id, officer.department);
    assertTypeAllowed(officer, old.type);
    if (old.status.status === "REVOKED" || old.status.status === "SUPERSEDED") {
      throw new EProofError("INVALID_STATUS_CHANGE", `cannot supersede a document that is ${old.status.status.toLowerCase()}`);
    }
    // Keyed by the old document, so that retrying after a failed chain write (503) does not issue a second successor.
    const [successor] = await issueDocuments(officerDeps.issuance, {
      department: officer.department,
      type: old.type,
      items: [body.data],
      idempotencyKeys: [`supersede:${old.id}`],
    });
    if (!successor) throw new EProofError("INTERNAL", "issuance returned nothing");
    officerDeps.onAccepted();
    const result = await supersede(officerDeps.statusDeps, {
      department: officer.department,
      documentId: old.id,
      successorId: successor.id,
      reason: body.reason ?? "superseded",
      reasonCode: reasonCodeOf(body.reasonCode, 5),
      actor: officer.keyId,
    });
    res.status(201).json({ ...result, successorLinks: links(deps.config.publicUrl, successor.id) });
  });

  return router;
}
