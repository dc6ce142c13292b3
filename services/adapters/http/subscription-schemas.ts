/** Request bodies of the subscription and bulk status routes (zod, like request-schemas.ts). */
import { z } from "zod";

const documentId = z.string().regex(/^[0-9a-f]{32}$/, "a document id is 32 lowercase hex characters");

export const MAX_SUBSCRIBED_DOCUMENTS = 1_000;
export const MAX_BULK_STATUS_IDS = 5_000;

export const subscriptionBody = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2_000)
      .describe(
        "Where notifications are POSTed: https to a public address (private addresses and http to a loopback address only with EPROOF_WEBHOOK_ALLOW_PRIVATE=true)",
      ),
    documentIds: z.array(documentId).min(1).max(MAX_SUBSCRIBED_DOCUMENTS).optional().describe("Documents to follow (e.g. the ones you hold)"),
    docType: z.string().min(1).max(64).optional().describe("Follow every document of this type issued by `department`"),
    department: z
      .string()
      .min(1)
      .max(31)
      .optional()
      .describe("Issuing department of `docType`: required with a relying-party key; an officer key may name only its own (the default)"),
  })
  .strict()
  .refine((body) => (body.documentIds !== undefined) !== (body.docType !== undefined), { message: "give either documentIds or docType (with department)" });

export const bulkStatusBody = z
  .object({
    action: z.enum(["suspend", "reinstate", "revoke"]),
    ids: z.array(documentId).min(1).max(MAX_BULK_STATUS_IDS),
    reason: z.string().trim().min(1).max(500).describe("Why; kept off chain, shown to officers"),
    reasonCode: z.number().int().min(0).max(65535).optional(),
  })
  .strict();
