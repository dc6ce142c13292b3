/**
 * Request bodies, as zod schemas: the same objects validate requests and generate /openapi.json.
 */
import { z } from "zod";

const documentData = z.record(z.string(), z.unknown()).describe("The document's fields; see the schema of its type");

export const issueDocumentBody = z
  .object({
    type: z.string().min(1).max(64).describe("Document type id: licence, permit, subsidy-agreement or certificate"),
    data: documentData,
    idempotencyKey: z.string().min(1).max(200).optional().describe("Repeat a request with the same key to get the same document"),
  })
  .strict();

export function issueBatchBody(maxItems: number) {
  return z
    .object({
      type: z.string().min(1).max(64),
      items: z.array(documentData).min(1).max(maxItems),
      idempotencyKeys: z.array(z.string().min(1).max(200)).optional(),
    })
    .strict();
}

export const statusChangeBody = z
  .object({
    reason: z.string().trim().min(1).max(500).describe("Why; kept off chain, shown to officers"),
    reasonCode: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe(
        "Reason code, kept in the department's records (never on chain; public only where the department publishes it; see /openapi.json x-reason-codes)",
      ),
  })
  .strict();

export const supersedeBody = z
  .object({
    data: documentData,
    reason: z.string().trim().min(1).max(500).optional(),
    reasonCode: z.number().int().min(0).max(65535).optional(),
  })
  .strict();

/** A compact JWS or SD-JWT: base64url parts separated by "." and "~" (an SD-JWT VC with every disclosure stays well under 64 KiB). */
const compactToken = z
  .string()
  .min(1)
  .max(65_536)
  .regex(/^[A-Za-z0-9_\-.~\s]+$/, "must be a compact SD-JWT or JWT (base64url parts separated by . and ~)");

export const verifyBody = z.union([
  z.object({ document: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ qr: z.string().min(1).max(8192) }).strict(),
  z
    .object({
      sdJwt: compactToken.describe(
        "An SD-JWT VC (application/dc+sd-jwt) or a holder's presentation of some of its disclosures, optionally with a Key Binding JWT",
      ),
    })
    .strict(),
  z.object({ vcJwt: compactToken.describe("A W3C VC 2.0 credential secured as a JWT (application/vc+jwt)") }).strict(),
]);

export const redactBody = z
  .object({
    document: z.record(z.string(), z.unknown()).describe("The e-Proof file (JSON) to make a redacted copy of"),
    hide: z.array(z.string().min(1).max(64)).min(1).max(50).describe("Names of the data fields to withhold, e.g. premises, conditions"),
  })
  .strict();
