/** Request bodies of the admin API (/api/v1/admin), as zod schemas: they validate and document. */
import { z } from "zod";

const name = z.string().trim().min(1).max(200);
const typeId = z.string().min(1).max(64);

export const onboardBody = z
  .object({
    code: z.string().min(2).max(31).describe("Department code, A-Z 0-9 and -"),
    name: z.object({ en: name, zhHK: name }).strict(),
    types: z.array(typeId).max(20).optional().describe("Document types to grant at once"),
    anchorer: z.boolean().optional().describe("Add this service's anchoring account (default true)"),
    signingKey: z.boolean().optional().describe("Generate and register a signing key (default true)"),
  })
  .strict();
export const grantBody = z.object({ type: typeId }).strict();
export const rotateBody = z.object({ graceSeconds: z.number().int().optional() }).strict();
export const compromisedBody = z.object({ at: z.string().min(10).max(40).describe("ISO 8601 time from which the key is not to be trusted") }).strict();
export const anchorerBody = z
  .object({ account: z.string().optional().describe("Account address; default: the department's own account in key custody (generated if it has none)") })
  .strict();
export const publishableReasonsBody = z
  .object({
    reasonCodes: z
      .array(z.number().int().min(0).max(65535))
      .max(64)
      .describe("Reason codes (x-reason-codes) the public verify answer may name for this department's documents; [] publishes none"),
  })
  .strict();
export const apiKeyBody = z
  .object({
    role: z.enum(["officer", "admin", "relying-party"]).optional(),
    department: z.string().min(2).max(31).optional(),
    label: z.string().trim().min(1).max(100).describe("Who holds it, e.g. the officer's post (no personal data needed)"),
    types: z.array(typeId).max(20).optional(),
  })
  .strict();
