/**
 * The built-in document types as versioned schemas. The same zod schema validates issuance
 * requests and, as JSON Schema, is published in /openapi.json; its hash is registered on chain
 * when a department is granted the type.
 */
import { z } from "zod";
import { canonicalJson } from "./canonical-json.ts";
import { EProofError, type Problem } from "./errors.ts";
import { keccak256 } from "./keccak.ts";
import type { Hex, JsonValue } from "./types.ts";

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const bilingual = (max = 200) => z.object({ en: text(max), "zh-HK": text(max) }).strict();

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** YYYY-MM-DD of the proleptic Gregorian calendar, years 0100-9999 (as Date.UTC and toISOString round-trip them). */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}
const isoDate = z.string().refine(isCalendarDate, "must be a calendar date written YYYY-MM-DD");

const FULL_HKID = /^[A-Z]{1,2}\d{6}\(?[0-9A]\)?$/;
const idMasked = z
  .string()
  .max(20)
  .refine((v) => !FULL_HKID.test(v), "looks like a full identity number: give it masked, e.g. A123***(4)")
  .refine((v) => FULL_HKID.test(v) || /^[A-Z]{1,2}\d{0,4}\*{2,6}\(?[0-9A*]\)?$/.test(v), "must be a masked identity number, e.g. A123***(4)");
const person = z.object({ name: bilingual(120), idMasked }).strict();
// An organisation's Business Registration number (8 digits, optionally with its branch suffix),
// Companies Registry number (6-8 digits), or any registration number given masked ("12***678").
const BUSINESS_NUMBER = /^\d{6,8}(-\d{3}-\d{2}-\d{2}-[0-9A-Z])?$/;
const MASKED_NUMBER = /^[A-Z0-9/()-]{0,8}\*{2,8}[A-Z0-9/()-]{0,8}$/;
const registrationNumber = z
  .string()
  .max(30, "must be at most 30 characters")
  .refine((v) => !FULL_HKID.test(v), "looks like a person's identity number: an organisation's BR or registration number is expected")
  .refine(
    (v) => FULL_HKID.test(v) || BUSINESS_NUMBER.test(v) || MASKED_NUMBER.test(v),
    "must be a BR number such as 12345678, or a masked registration number",
  );
const organisation = z.object({ name: bilingual(200), registrationNumber }).strict();
const amount = z
  .object({
    currency: z.literal("HKD"),
    value: z
      .string()
      .regex(/^\d{1,13}(\.\d{1,2})?$/, "must be a decimal amount such as 1500000.00")
      .refine((v) => !/^[0.]*$/.test(v), "must be more than zero"),
  })
  .strict();
const conditions = z.array(text(300)).max(30, "at most 30 conditions");
const validity = { validFrom: isoDate, validUntil: isoDate };
// Judged only between two well-formed dates: a malformed one is already reported on its own field.
const validFromNotAfterUntil = (data: { validFrom: string; validUntil: string }) =>
  !isCalendarDate(data.validFrom) || !isCalendarDate(data.validUntil) || data.validFrom <= data.validUntil;
const windowMessage = { message: "validUntil must not be before validFrom", path: ["validUntil"] };

export interface DocumentTypeDefinition {
  id: string;
  version: number;
  title: { en: string; "zh-HK": string };
  /** Fields carried in the signed claim (and the QR): never hidden in a redacted copy. */
  claimFields: string[];
  schema: z.ZodType;
  jsonSchema: Record<string, unknown>;
  schemaHash: Hex;
}

function define(id: string, title: DocumentTypeDefinition["title"], claimFields: string[], schema: z.ZodType): DocumentTypeDefinition {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
  const described = { ...jsonSchema, title: `${id}@1`, description: title.en };
  return {
    id,
    version: 1,
    title,
    claimFields,
    schema,
    jsonSchema: described,
    schemaHash: keccak256(canonicalJson(described as JsonValue)),
  };
}

const licence = z
  .object({
    documentNumber: text(40),
    title: bilingual(),
    holder: person,
    premises: bilingual(300).optional(),
    conditions: conditions.optional(),
    ...validity,
  })
  .strict()
  .refine(validFromNotAfterUntil, windowMessage);

const permit = z
  .object({
    documentNumber: text(40),
    title: bilingual(),
    holder: person,
    activity: bilingual(300),
    location: bilingual(300).optional(),
    conditions: conditions.optional(),
    ...validity,
  })
  .strict()
  .refine(validFromNotAfterUntil, windowMessage);

const subsidyAgreement = z
  .object({
    documentNumber: text(40),
    title: bilingual(),
    beneficiary: organisation,
    scheme: bilingual(),
    amount,
    subsidyRatePercent: z.number().min(0).max(90, "must be at most 90 (%)"),
    approvingBody: bilingual(),
    conditions: conditions.optional(),
    ...validity,
  })
  .strict()
  .refine(validFromNotAfterUntil, windowMessage);

const certificate = z
  .object({
    documentNumber: text(40),
    title: bilingual(),
    holder: person,
    certifies: bilingual(300),
    awardingBody: bilingual(),
    level: text(60).optional(),
    ...validity,
  })
  .strict()
  .refine(validFromNotAfterUntil, windowMessage);

const KEY_FACTS = ["documentNumber", "holder", "validFrom", "validUntil"];

export const documentTypes: ReadonlyMap<string, DocumentTypeDefinition> = new Map(
  [
    define("licence", { en: "Licence", "zh-HK": "牌照" }, KEY_FACTS, licence),
    define("permit", { en: "Permit", "zh-HK": "許可證" }, KEY_FACTS, permit),
    define(
      "subsidy-agreement",
      { en: "Subsidy agreement", "zh-HK": "資助協議" },
      ["documentNumber", "beneficiary", "validFrom", "validUntil"],
      subsidyAgreement,
    ),
    define("certificate", { en: "Certificate", "zh-HK": "證書" }, KEY_FACTS, certificate),
  ].map((t) => [t.id, t]),
);

export function getDocumentType(id: string): DocumentTypeDefinition {
  const type = documentTypes.get(id);
  if (!type) {
    throw new EProofError("UNKNOWN_TYPE", `unknown document type "${String(id).slice(0, 64)}"; known types: ${[...documentTypes.keys()].join(", ")}`);
  }
  return type;
}

export function validateDocumentData(typeId: string, data: unknown): { ok: true; data: Record<string, JsonValue> } | { ok: false; problems: Problem[] } {
  const type = getDocumentType(typeId);
  // reportInput keeps each issue's input, so that a missing field can be told from a wrong one.
  const result = type.schema.safeParse(data, { reportInput: true });
  if (result.success) return { ok: true, data: result.data as Record<string, JsonValue> };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push({ path: path ? `${path}.${key}` : key, message: `is not a field of ${type.id}` });
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      problems.push({ path, message: "is required" });
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return { ok: false, problems };
}
