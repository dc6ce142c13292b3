/** The officer API: issue, look up, change status, download. Every route needs a department API key. */
import type { Request, Response, Router } from "express";
import { z } from "zod";
import { isReasonCode } from "../../../domain/reason-codes.ts";
import { SD_JWT_VC_MEDIA_TYPE } from "../../../domain/sd-jwt-vc.ts";
import { collapseHistory } from "../../../domain/status-history.ts";
import { type EProofDocument, isDocumentId } from "../../../domain/types.ts";
import { VC_JWT_MEDIA_TYPE } from "../../../domain/vc-jwt.ts";
import { EProofError } from "../../../errors.ts";
import type { StoredDocument } from "../../../ports.ts";
import { changeStatus, type StatusAction, supersede } from "../../../use-cases/change-status.ts";
import type { CredentialExporter } from "../../../use-cases/credential-exports.ts";
import { awaitAnchoredCopy, eproofFile, qrLinkOf } from "../../../use-cases/document-files.ts";
import { issueDocuments } from "../../../use-cases/issue-documents.ts";
import { type ApiDescription, describedRoutes, type RouteOperation } from "../api-description.ts";
import { assertTypeAllowed, officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps, OfficerHttpDeps } from "../http-deps.ts";
import { sendNotYetAnchored } from "../not-yet-anchored.ts";
import { issueBatchBody, issueDocumentBody, statusChangeBody, supersedeBody } from "../request-schemas.ts";
import {
  authRefusals,
  bodyRefusals,
  chainUnavailable,
  documentRecordSchema,
  eproofFileSchema,
  issuedBatchSchema,
  issuedDocumentSchema,
  jsonResponse,
  notYetAnchored,
  problem,
  statusChangedSchema,
  supersededSchema,
} from "../response-schemas.ts";
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

/** An issued document's stored JSON (text, or its UTF-8 bytes as the issuance workers hand it over). */
function parseDocumentJson(json: string | Uint8Array): EProofDocument {
  return JSON.parse(typeof json === "string" ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8")) as EProofDocument;
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

const idParams = z.object({
  id: z.string().meta({ description: "The document id: 32 lowercase hex characters", example: "0123456789abcdef0123456789abcdef" }),
});
const officer: Pick<RouteOperation, "tags" | "security"> = { tags: ["officer"], security: ["officerApiKey"] };
const unknownDocument = problem("No document with this id issued by this key's department (NOT_FOUND)");
const issueRefusals = {
  ...bodyRefusals,
  ...authRefusals,
  "403": problem("This key may not issue this type, or its department is suspended (FORBIDDEN)"),
  "404": problem("Unknown document type (UNKNOWN_TYPE)"),
  "409": problem("This idempotency key was used for different data (DUPLICATE_REQUEST)"),
  "422": problem("The data is not a valid document of this type (INVALID_DOCUMENT, INVALID_CLAIM); error.problems lists each field"),
};
const statusRefusals = {
  ...bodyRefusals,
  ...authRefusals,
  "404": unknownDocument,
  "409": problem("Not allowed from the current status (INVALID_STATUS_CHANGE) or refused by the chain (CHAIN_REJECTED)"),
  "503": chainUnavailable,
};
const download = (summary: string, mediaType: string, schema: z.ZodType, complete: boolean): RouteOperation => ({
  summary,
  ...officer,
  requestParams: { path: idParams },
  responses: {
    "200": { description: summary, content: { [mediaType]: { schema } } },
    ...(complete ? { "202": notYetAnchored } : {}),
    ...authRefusals,
    "404": unknownDocument,
  },
});
const binary = z.string().meta({ format: "binary" });

export function officerRoutes(deps: HttpDeps, officerDeps: OfficerHttpDeps, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  routes.router.use("/api/v1/documents", requireOfficer(deps.store, deps.audit));
  routes.router.use("/api/v1/batches", requireOfficer(deps.store, deps.audit));

  async function ownDocument(id: string, department: string) {
    if (!isDocumentId(id)) throw new EProofError("NOT_FOUND", "a document id is 32 lowercase hex characters");
    const stored = await deps.store.getDocument(id);
    if (!stored || stored.department !== department) throw new EProofError("NOT_FOUND", `no document ${id} issued by ${department}`);
    return stored;
  }

  routes.post(
    "/api/v1/documents",
    {
      summary: "Issue one document",
      description:
        "Accepted at once (202) and anchored with its batch shortly after; until then it verifies PENDING. Repeating the request with the same idempotencyKey answers 200 with the same document (replayed: true).",
      ...officer,
      requestBody: { required: true, content: { "application/json": { schema: issueDocumentBody } } },
      responses: {
        "200": jsonResponse("Replayed: this idempotencyKey already issued this document", issuedDocumentSchema),
        "202": jsonResponse("Accepted; anchored shortly (verifies PENDING until then)", issuedDocumentSchema),
        ...issueRefusals,
      },
    },
    async (req, res) => {
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
      // The QR link comes from the file as issued (its signature), not from reading the document back.
      const verifyUrl = issued.documentJson === undefined ? undefined : qrLinkOf(parseDocumentJson(issued.documentJson), deps.config.publicUrl);
      const { id, type, issuedAt, replayed } = issued;
      res.status(replayed ? 200 : 202).json({ id, type, issuedAt, replayed, status: "PENDING", verifyUrl, links: links(deps.config.publicUrl, id) });
    },
  );

  routes.post(
    "/api/v1/batches",
    {
      summary: `Issue up to ${deps.config.maxBatchItems} documents of one type`,
      description: "Each document carries replayed: true when its idempotency key already issued it.",
      ...officer,
      requestBody: { required: true, content: { "application/json": { schema: issueBatchBody(deps.config.maxBatchItems) } } },
      responses: { "202": jsonResponse("Accepted; anchored shortly", issuedBatchSchema), ...issueRefusals },
    },
    async (req, res) => {
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
        documents: issued.map(({ id, type, issuedAt, replayed }) => ({ id, type, issuedAt, replayed, links: links(deps.config.publicUrl, id) })),
      });
    },
  );

  routes.get(
    "/api/v1/documents/:id",
    {
      summary: "Look a document up: anchoring, status and status history",
      ...officer,
      requestParams: { path: idParams },
      responses: { "200": jsonResponse("The document", documentRecordSchema), ...authRefusals, "404": unknownDocument },
    },
    async (req, res) => {
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
    },
  );

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

  routes.get(
    "/api/v1/documents/:id/eproof.json",
    download("The e-Proof file, complete (anchor included)", "application/json", eproofFileSchema, true),
    async (req, res) => {
      const stored = await completeCopy(req, res);
      if (!stored) return;
      res
        .type("application/json")
        .set("Content-Disposition", `attachment; filename="eproof-${stored.id}.json"`)
        .send(JSON.stringify(eproofFile(stored, deps.trust), null, 2));
    },
  );

  routes.get("/api/v1/documents/:id/qr.png", download("The QR code (PNG)", "image/png", binary, false), async (req, res) => {
    const stored = await ownDocument(req.params.id, officerOf(res.locals).department);
    res.type("image/png").send(Buffer.from(await officerDeps.qr.png(qrLinkOf(eproofFile(stored, deps.trust), deps.config.publicUrl))));
  });

  routes.get("/api/v1/documents/:id/qr.svg", download("The QR code (SVG)", "image/svg+xml", z.string(), false), async (req, res) => {
    const stored = await ownDocument(req.params.id, officerOf(res.locals).department);
    res.type("image/svg+xml").send(await officerDeps.qr.svg(qrLinkOf(eproofFile(stored, deps.trust), deps.config.publicUrl)));
  });

  routes.get(
    "/api/v1/documents/:id/pdf",
    download("The PDF with its QR code and the complete e-Proof file embedded", "application/pdf", binary, true),
    async (req, res) => {
      const stored = await completeCopy(req, res);
      if (!stored) return;
      const file = eproofFile(stored, deps.trust);
      const qrPng = await officerDeps.qr.png(qrLinkOf(file, deps.config.publicUrl));
      const pdf = await officerDeps.pdf.documentPdf(file, qrPng, deps.departmentName(stored.department));
      res.type("application/pdf").set("Content-Disposition", `inline; filename="eproof-${stored.id}.pdf"`).send(Buffer.from(pdf));
    },
  );

  // The credential exports (issue 15), made from the complete copy and signed with the department's current key.
  routes.get(
    "/api/v1/documents/:id/sd-jwt-vc",
    download(
      "The SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): every field a selectively disclosable claim, anchor included",
      SD_JWT_VC_MEDIA_TYPE,
      z.string(),
      true,
    ),
    async (req, res) => {
      const exporter = exportsOf(officerDeps);
      const stored = await completeCopy(req, res);
      if (!stored) return;
      res
        .type(SD_JWT_VC_MEDIA_TYPE)
        .set("Content-Disposition", `attachment; filename="eproof-${stored.id}.sd-jwt"`)
        .set("Cache-Control", "no-store")
        .send(await exporter.sdJwtVcOf(stored));
    },
  );

  routes.get(
    "/api/v1/documents/:id/vc-jwt",
    download("The W3C VC 2.0 secured with VC-JOSE-COSE, with the anchor as evidence", VC_JWT_MEDIA_TYPE, z.string(), true),
    async (req, res) => {
      const exporter = exportsOf(officerDeps);
      const stored = await completeCopy(req, res);
      if (!stored) return;
      res
        .type(VC_JWT_MEDIA_TYPE)
        .set("Content-Disposition", `attachment; filename="eproof-${stored.id}.vc-jwt"`)
        .set("Cache-Control", "no-store")
        .send(await exporter.vcJwtOf(stored));
    },
  );

  for (const action of ["revoke", "suspend", "reinstate"] as const satisfies StatusAction[]) {
    routes.post(
      `/api/v1/documents/:id/${action}`,
      {
        summary: STATUS_SUMMARY[action],
        ...officer,
        requestParams: { path: idParams },
        requestBody: { required: true, content: { "application/json": { schema: statusChangeBody } } },
        responses: { "200": jsonResponse("Recorded on chain", statusChangedSchema), ...statusRefusals },
      },
      async (req, res) => {
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
      },
    );
  }

  routes.post(
    "/api/v1/documents/:id/supersede",
    {
      summary: "Issue a successor and mark this document superseded",
      ...officer,
      requestParams: { path: idParams },
      requestBody: { required: true, content: { "application/json": { schema: supersedeBody } } },
      responses: { "201": jsonResponse("Superseded; the successor is issued", supersededSchema), ...statusRefusals, "422": issueRefusals["422"] },
    },
    async (req, res) => {
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
    },
  );

  return routes.router;
}

const STATUS_SUMMARY: Record<StatusAction, string> = {
  revoke: "Revoke (final)",
  suspend: "Suspend (reversible)",
  reinstate: "Reinstate a suspended document",
};
