/**
 * Response bodies as zod schemas, for /openapi.json (request bodies are in request-schemas.ts and
 * its siblings). Each names its component (`meta({ id })`), so a generated client gets one type per
 * shape. test/e2e/openapi-responses.test.ts checks real answers against them.
 */
import { z } from "zod";
import type { ZodOpenApiResponseObject } from "zod-openapi";
import { VERDICTS } from "../../domain/verdict.ts";
import type { EProofErrorCode } from "../../errors.ts";
import { jsonValueSchema, verificationResultSchema } from "../../use-cases/verify-document.ts";
import { HTTP_STATUS } from "./error-status.ts";
import { NOT_YET_ANCHORED } from "./not-yet-anchored.ts";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const documentId = z.string().regex(/^[0-9a-f]{32}$/);
const isoTime = z.string().describe("ISO 8601");
const url = z.string().describe("Absolute URL");
const bilingualName = z.object({ en: z.string(), "zh-HK": z.string() });

/** The error answer of every route (services/adapters/http/error-status.ts): `code` is stable, `message` is for a person. */
export const problemSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(HTTP_STATUS) as [EProofErrorCode, ...EProofErrorCode[]]),
      message: z.string(),
      requestId: z.string(),
      problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "Problem", description: "An error: error.code is stable (services/errors.ts), error.message is for a person" });

export const notYetAnchoredSchema = z
  .object({
    error: z.object({ code: z.literal(NOT_YET_ANCHORED), message: z.string(), requestId: z.string() }),
    retryAfterSeconds: z.number().int(),
  })
  .meta({ id: "NotYetAnchored", description: "The document is accepted but its batch is not on the ledger yet: come back after Retry-After seconds" });

export const verificationResultResponse = verificationResultSchema.meta({
  id: "VerificationResult",
  description: "The verdict (the first failing check decides), the six checks in order, the signed key facts and the chain evidence",
});

export const anchorSchema = z
  .object({ chainId: z.number().int(), registry: hex, root: hex, proof: z.array(hex), txHash: hex, blockNumber: z.number().int() })
  .meta({ id: "AnchorBlock", description: "Where the document's batch is anchored and its Merkle path" });

export const eproofFileSchema = z
  .object({
    eproof: z.literal(1),
    header: z.object({ id: documentId, type: z.string(), typeVersion: z.number().int(), issuer: z.string(), issuedAt: isoTime }),
    data: z.record(z.string(), jsonValueSchema),
    salts: z.record(z.string(), z.string()),
    hidden: z.record(z.string(), hex).optional(),
    signature: z.object({ jws: z.string(), jwk: z.record(z.string(), z.string()) }),
    anchor: anchorSchema.optional(),
  })
  .meta({ id: "EProofFile", description: "The holder's e-Proof file: signed data, salts, signature and (once anchored) the anchor" });

const documentLinks = z.object({ self: url, eproof: url, pdf: url, qrPng: url, qrSvg: url, sdJwtVc: url, vcJwt: url }).meta({ id: "DocumentLinks" });

const issued = {
  id: documentId,
  type: z.string(),
  issuedAt: isoTime,
  replayed: z.boolean().describe("True when an earlier request with this idempotency key issued it"),
};

export const issuedDocumentSchema = z
  .object({ ...issued, status: z.literal("PENDING"), verifyUrl: url.optional(), links: documentLinks })
  .meta({ id: "IssuedDocument" });

export const issuedBatchSchema = z
  .object({ type: z.string(), count: z.number().int(), status: z.literal("PENDING"), documents: z.array(z.object({ ...issued, links: documentLinks })) })
  .meta({ id: "IssuedBatch" });

const onChainStatus = z.enum(["ACTIVE", "SUSPENDED", "REVOKED", "SUPERSEDED"]);

export const documentRecordSchema = z
  .object({
    id: documentId,
    type: z.string(),
    department: z.string(),
    issuedAt: isoTime,
    anchoring: z.enum(["ANCHORED", "PENDING"]),
    anchor: anchorSchema.nullable(),
    status: z.object({
      status: onChainStatus,
      reason: z.string().nullable(),
      reasonCode: z.number().int(),
      changedAt: isoTime.nullable(),
      successor: documentId.nullable(),
    }),
    history: z.array(
      z.object({
        documentId,
        status: onChainStatus,
        reason: z.string(),
        reasonCode: z.number().int(),
        successor: documentId.nullable(),
        actor: z.string(),
        txHash: hex,
        changedAt: isoTime,
      }),
    ),
    verifyUrl: url,
    links: documentLinks,
  })
  .meta({ id: "DocumentRecord", description: "A document as its department sees it: anchoring, status and status history (no claim data)" });

export const statusChangedSchema = z.object({ id: documentId, status: onChainStatus, changedAt: isoTime, txHash: hex }).meta({ id: "StatusChanged" });

export const supersededSchema = z
  .object({ id: documentId, status: z.literal("SUPERSEDED"), successor: documentId, changedAt: isoTime, txHash: hex, successorLinks: documentLinks })
  .meta({ id: "Superseded" });

export const bulkStatusResultSchema = z
  .object({
    status: onChainStatus,
    changed: z.array(documentId),
    unchanged: z.array(documentId),
    transactions: z.array(z.object({ txHash: hex, blockNumber: z.number().int(), count: z.number().int(), changedAt: isoTime })),
  })
  .meta({ id: "BulkStatusResult" });

export const publicStatusSchema = z
  .object({
    id: documentId,
    type: z.string(),
    typeVersion: z.number().int(),
    issuer: z.object({ code: z.string(), name: bilingualName }),
    issuedAt: isoTime,
    validFrom: isoTime.optional(),
    validUntil: isoTime.optional(),
    status: z.enum(["ACTIVE", "SUSPENDED", "REVOKED", "SUPERSEDED", "PENDING", "NOT_ANCHORED", "UNAVAILABLE"]),
    statusChange: verificationResultSchema.shape.statusChange,
    successor: documentId.optional(),
    verdict: z.enum(VERDICTS),
    anchoring: verificationResultSchema.shape.evidence,
  })
  .meta({ id: "PublicDocumentStatus", description: "What anyone may learn of a document by id: never the holder or another claim field" });

export const proofSchema = z.object({ id: documentId, anchor: anchorSchema }).meta({ id: "DocumentProof" });

export const trustConfigurationSchema = z
  .object({
    chainId: z.number().int(),
    registry: hex,
    registries: z.array(
      z.object({ chainId: z.number().int(), registry: hex, issuerRegistry: hex.nullable(), from: isoTime.nullable(), until: isoTime.nullable() }),
    ),
    jwksUri: url,
    verifyApi: url,
  })
  .meta({ id: "TrustConfiguration", description: "What a verifier pins: the chain, the registries it trusts (with their periods) and where the keys are" });

export const jwksSchema = z
  .object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })) })
  .meta({ id: "JsonWebKeySet", description: "Public keys (RFC 7517); a department key carries its validity window" });

export const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    chain: z.object({
      reachable: z.boolean(),
      chainId: z.number().int(),
      chainIdMatches: z.boolean().optional(),
      blockNumber: z.number().int().optional(),
      error: z.string().optional(),
      endpoints: z.array(z.object({ url: z.string(), healthy: z.boolean(), lastError: z.string().optional() })).optional(),
    }),
    database: z.object({ reachable: z.boolean(), error: z.string().optional() }),
    outbox: z.object({ unanchored: z.number().int() }),
  })
  .meta({ id: "HealthReport" });

export const readinessSchema = z.object({ status: z.enum(["ready", "not_ready"]), failing: z.array(z.string()).optional() }).meta({ id: "Readiness" });

/** The admin answers (services/use-cases/administer.ts): chain transactions are named by txHash. */
const departmentCode = z.string().regex(/^[A-Z0-9-]{2,31}$/);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

export const departmentSchema = z
  .object({
    code: departmentCode,
    name: z.object({ en: z.string(), zhHK: z.string() }),
    status: z.enum(["ACTIVE", "SUSPENDED"]),
    registeredAt: isoTime,
    types: z.array(z.object({ type: z.string(), schemaHash: hex, grantedAt: isoTime.nullable(), withdrawnAt: isoTime.nullable(), granted: z.boolean() })),
    signingKeys: z.array(
      z.object({ kid: z.string().nullable(), thumbprint: hex, validFrom: isoTime, validUntil: isoTime.nullable(), compromisedAt: isoTime.nullable() }),
    ),
    anchorers: z.array(address),
    publishableReasonCodes: z.array(z.number().int()),
  })
  .meta({ id: "Department", description: "A department as the chain records it: status, grants, key windows, anchorers" });

export const departmentStatusSchema = z.object({ code: departmentCode, status: z.enum(["ACTIVE", "SUSPENDED"]), txHash: hex }).meta({ id: "DepartmentStatus" });
export const typeGrantSchema = z.object({ code: departmentCode, type: z.string(), schemaHash: hex.optional(), txHash: hex }).meta({ id: "TypeGrant" });
export const signingKeySchema = z
  .object({
    department: departmentCode,
    kid: z.string(),
    keyNumber: z.number().int(),
    thumbprint: hex,
    publicJwk: z.record(z.string(), z.string()),
    validFrom: isoTime,
    validUntil: isoTime.nullable(),
    compromisedAt: isoTime.nullable(),
  })
  .meta({ id: "SigningKey" });
export const keyRotationSchema = z
  .object({
    code: departmentCode,
    current: z.object({ kid: z.string(), thumbprint: hex, validFrom: isoTime }),
    retired: z.array(z.object({ kid: z.string(), validUntil: isoTime, txHash: hex })),
  })
  .meta({ id: "KeyRotation" });
export const keyCompromisedSchema = z.object({ code: departmentCode, kid: z.string(), compromisedAt: isoTime, txHash: hex }).meta({ id: "KeyCompromised" });
export const anchorerChangeSchema = z
  .object({ code: departmentCode, account: address, txHash: hex.nullable(), removed: z.array(address).optional() })
  .meta({ id: "AnchorerChange", description: "txHash null: the account was already the department's anchorer" });
export const publishableReasonsSchema = z
  .object({ code: departmentCode, publishableReasonCodes: z.array(z.number().int()) })
  .meta({ id: "PublishableReasons" });
export const apiKeyRevokedSchema = z.object({ id: z.string(), revoked: z.literal(true) }).meta({ id: "ApiKeyRevoked" });

export const apiKeySchema = z
  .object({
    id: z.string(),
    department: z.string(),
    label: z.string(),
    types: z.array(z.string()),
    revoked: z.boolean(),
    role: z.enum(["officer", "admin", "relying-party"]).optional(),
    createdAt: isoTime.optional().describe("When the key was created (in the list)"),
  })
  .meta({ id: "ApiKey", description: "An API key as listed: never its secret" });

export const auditPageSchema = z
  .object({
    entries: z.array(
      z.object({
        seq: z.number().int(),
        at: isoTime,
        actor: z.string(),
        role: z.enum(["officer", "admin", "relying-party"]),
        action: z.string(),
        department: z.string().nullable(),
        documentId: z.string().nullable(),
        details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      }),
    ),
    next: z.number().int().nullable().describe("The seq to pass as `after` for the next page"),
  })
  .meta({ id: "AuditPage" });

export const subscriptionSchema = z
  .object({
    id: z.string(),
    url,
    documentIds: z.array(documentId),
    department: z.string().nullable(),
    docType: z.string().nullable(),
    createdAt: isoTime,
    links: z.object({ self: url, deliveries: url, jwks: url }),
  })
  .meta({ id: "Subscription" });

export const deliveriesSchema = z
  .object({
    subscriptionId: z.string(),
    deliveries: z.array(
      z.object({
        id: z.string(),
        subscriptionId: z.string(),
        eventId: z.string(),
        body: z.string().describe("The signed notification (compact JWS) the receiver got"),
        state: z.enum(["PENDING", "DELIVERED", "FAILED"]),
        attempts: z.number().int(),
        nextAttemptAt: isoTime.nullable(),
        createdAt: isoTime,
        deliveredAt: isoTime.nullable(),
        log: z.array(z.object({ at: isoTime, httpStatus: z.number().int().nullable(), error: z.string().nullable(), ms: z.number() })),
      }),
    ),
  })
  .meta({ id: "Deliveries" });

/** A JSON answer. */
export function jsonResponse(description: string, schema: z.ZodType, extra: Partial<ZodOpenApiResponseObject> = {}): ZodOpenApiResponseObject {
  return { description, content: { "application/json": { schema } }, ...extra };
}

/** A problem answer (error.code says which). */
export function problem(description: string): ZodOpenApiResponseObject {
  return jsonResponse(description, problemSchema);
}

const retryAfter = z.object({ "Retry-After": z.string().regex(/^\d+$/).meta({ description: "Seconds to wait before asking again" }) });

/** 202 for a copy asked for before its batch is on the ledger: never a proofless copy. */
export const notYetAnchored = jsonResponse(
  "Accepted, not yet anchored (error.code NOT_YET_ANCHORED): ask again after Retry-After seconds; never a proofless copy",
  notYetAnchoredSchema,
  { headers: retryAfter },
);

/** The refusals of an authenticated route. */
export const authRefusals = {
  "401": problem("No API key, or not a valid one (UNAUTHORISED)"),
  "403": problem("This key's role or department may not do this (FORBIDDEN)"),
  "429": problem("Too many failed authentications from this client (RATE_LIMITED); wait for Retry-After seconds"),
};

/** The refusals of a route that takes a JSON body. */
export const bodyRefusals = {
  "400": problem("Not the expected body (BAD_REQUEST, MALFORMED_JSON); error.problems lists what is wrong"),
  "413": problem("The body is larger than this service accepts (PAYLOAD_TOO_LARGE)"),
};

export const rateLimited = problem("Too many requests from this client (RATE_LIMITED); wait for Retry-After seconds");
export const chainUnavailable = problem("The chain did not answer (CHAIN_UNAVAILABLE) or took too long (TIMEOUT); try again");
