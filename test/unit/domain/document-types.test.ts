import { keccak256, toUtf8Bytes } from "ethers";
import { describe, expect, it, vi } from "vitest";
import { canonicalJson } from "../../../services/domain/canonical-json.ts";
import { DOCUMENT_EXAMPLES } from "../../../services/domain/document-examples.ts";
import { documentTypes, getDocumentType, validateDocumentData } from "../../../services/domain/document-types.ts";
import type { JsonValue } from "../../../services/domain/types.ts";
import { isEProofError, type Problem } from "../../../services/errors.ts";
import { typicalLicence } from "./fixtures.ts";

/** One example per type, every optional field filled in: those of `eproof template <type>`. */
const EXAMPLES = DOCUMENT_EXAMPLES;
/** The fields each type may leave out. */
const OPTIONAL_FIELDS: Record<string, string[]> = {
  licence: ["premises", "conditions"],
  permit: ["location", "conditions"],
  "subsidy-agreement": ["conditions"],
  certificate: ["level"],
};

function problemsOf(type: string, data: unknown): Problem[] {
  const result = validateDocumentData(type, data);
  if (result.ok) throw new Error(`expected problems for ${JSON.stringify(data).slice(0, 200)}`);
  return result.problems;
}

function expectUnknownType(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isEProofError(thrown, "UNKNOWN_TYPE"), `expected UNKNOWN_TYPE, got ${String(thrown)}`).toBe(true);
}

describe("document types", () => {
  it("accepts the typical licence of docs/examples/licence.json as it is", () => {
    const data = typicalLicence();
    expect(validateDocumentData("licence", data)).toEqual({ ok: true, data });
  });

  it("knows exactly the four built-in types, each with a valid example", () => {
    expect([...documentTypes.keys()].sort()).toEqual(["certificate", "licence", "permit", "subsidy-agreement"]);
    for (const [type, data] of Object.entries(EXAMPLES)) expect(validateDocumentData(type, data), type).toEqual({ ok: true, data });
  });

  it("accepts each type's example without its optional fields", () => {
    for (const [type, optional] of Object.entries(OPTIONAL_FIELDS)) {
      const data = Object.fromEntries(Object.entries(EXAMPLES[type] ?? {}).filter(([field]) => !optional.includes(field)));
      expect(Object.keys(data).length, type).toBe(Object.keys(EXAMPLES[type] ?? {}).length - optional.length);
      expect(validateDocumentData(type, data), type).toEqual({ ok: true, data });
    }
  });

  it("makes the validity period and the document number key facts of every type", () => {
    for (const type of documentTypes.values()) {
      expect(type.claimFields, type.id).toEqual(expect.arrayContaining(["documentNumber", "validFrom", "validUntil"]));
      expect(type.version).toBe(1);
    }
    expect(getDocumentType("subsidy-agreement").claimFields).toContain("beneficiary");
    expect(getDocumentType("licence").claimFields).toContain("holder");
  });

  it("reports a missing field as required, with its path", () => {
    const { documentNumber: _n, ...data } = typicalLicence();
    expect(problemsOf("licence", data)).toEqual([{ path: "documentNumber", message: "is required" }]);
    const nested = { ...typicalLicence(), holder: { name: { "zh-HK": "陳大文" }, idMasked: "A123***(4)" } };
    expect(problemsOf("licence", nested)).toEqual([{ path: "holder.name.en", message: "is required" }]);
  });

  it("reports a field of the wrong kind as such, not as missing", () => {
    const problems = problemsOf("licence", { ...typicalLicence(), holder: 42 });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe("holder");
    expect(problems[0]?.message).not.toBe("is required");
  });

  it("refuses dates that are not calendar dates written YYYY-MM-DD", () => {
    for (const bad of ["2026-02-30", "2026-13-01", "2026-1-1", "31/12/2027", "2027-12-31T00:00:00Z", "", "2025-02-29"]) {
      expect(problemsOf("licence", { ...typicalLicence(), validFrom: bad }), bad).toEqual([
        { path: "validFrom", message: "must be a calendar date written YYYY-MM-DD" },
      ]);
    }
    expect(validateDocumentData("licence", { ...typicalLicence(), validFrom: "2028-02-29", validUntil: "2028-03-01" }).ok).toBe(true);
  });

  it("refuses a validUntil before validFrom, on validUntil, and accepts a single-day validity", () => {
    expect(problemsOf("licence", { ...typicalLicence(), validFrom: "2028-01-01" })).toEqual([
      { path: "validUntil", message: "validUntil must not be before validFrom" },
    ]);
    for (const [type, data] of Object.entries(EXAMPLES)) {
      expect(problemsOf(type, { ...data, validUntil: "2020-01-01" }), type).toEqual([
        { path: "validUntil", message: "validUntil must not be before validFrom" },
      ]);
    }
    expect(validateDocumentData("licence", { ...typicalLicence(), validFrom: "2027-12-31" }).ok).toBe(true);
  });

  it("names unknown extra fields, at the top and nested", () => {
    expect(problemsOf("licence", { ...typicalLicence(), nickname: "Big Man" })).toEqual([{ path: "nickname", message: "is not a field of licence" }]);
    const data = typicalLicence();
    (data.holder as Record<string, JsonValue>).phone = "91234567";
    expect(problemsOf("licence", data)).toEqual([{ path: "holder.phone", message: "is not a field of licence" }]);
    expect(problemsOf("permit", { ...EXAMPLES.permit, premises: EXAMPLES.licence?.premises as JsonValue })).toEqual([
      { path: "premises", message: "is not a field of permit" },
    ]);
  });

  it("refuses a full, unmasked identity number and accepts masked ones", () => {
    for (const full of ["A1234567", "A123456(7)", "AB123456(A)", "Z9876543"]) {
      const data = { ...typicalLicence(), holder: { name: { en: "CHAN Tai Man", "zh-HK": "陳大文" }, idMasked: full } };
      const problems = problemsOf("licence", data);
      expect(problems, full).toHaveLength(1);
      expect(problems[0]?.path).toBe("holder.idMasked");
      expect(problems[0]?.message).toMatch(/full identity number/);
    }
    for (const masked of ["A123***(4)", "AB12****(A)", "Y12***(3)", "A******"]) {
      const data = { ...typicalLicence(), holder: { name: { en: "CHAN Tai Man", "zh-HK": "陳大文" }, idMasked: masked } };
      expect(validateDocumentData("licence", data).ok, masked).toBe(true);
    }
    expect(problemsOf("licence", { ...typicalLicence(), holder: { name: { en: "X", "zh-HK": "X" }, idMasked: "not an id" } })[0]?.path).toBe("holder.idMasked");
  });

  it("takes a beneficiary's BR, CR or masked registration number, and refuses a person's identity number", () => {
    const subsidy = (registrationNumber: string) => ({
      ...EXAMPLES["subsidy-agreement"],
      beneficiary: { name: { en: "Wing Fat Trading Limited", "zh-HK": "榮發貿易有限公司" }, registrationNumber },
    });
    for (const good of ["12345678", "12345678-000-01-23-4", "3124587", "12***678", "CR-****87"]) {
      expect(validateDocumentData("subsidy-agreement", subsidy(good)).ok, good).toBe(true);
    }
    for (const bad of ["A123456(7)", "Z9876543", "not a number", "1234", "9".repeat(40)]) {
      expect(new Set(problemsOf("subsidy-agreement", subsidy(bad)).map((p) => p.path)), bad).toEqual(new Set(["beneficiary.registrationNumber"]));
    }
  });

  it("refuses a subsidy of zero dollars", () => {
    for (const value of ["0", "0.00", "000"]) {
      const data = { ...EXAMPLES["subsidy-agreement"], amount: { currency: "HKD", value } };
      expect(problemsOf("subsidy-agreement", data), value).toEqual([{ path: "amount.value", message: "must be more than zero" }]);
    }
  });

  it("lists every problem of a bad document, each with a path and a message", () => {
    const problems = problemsOf("subsidy-agreement", {
      ...EXAMPLES["subsidy-agreement"],
      amount: { currency: "USD", value: "1,500,000" },
      subsidyRatePercent: 95,
      title: { en: " ", "zh-HK": "資助" },
    });
    expect(problems.map((p) => p.path).sort()).toEqual(["amount.currency", "amount.value", "subsidyRatePercent", "title.en"]);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(0);
  });

  it("refuses an input that is not an object", () => {
    for (const bad of [null, 42, "licence", [], undefined]) expect(validateDocumentData("licence", bad).ok).toBe(false);
  });

  it("refuses an unknown type with UNKNOWN_TYPE", () => {
    for (const bad of ["passport", "", "Licence", "toString", "__proto__"]) {
      expectUnknownType(() => getDocumentType(bad));
      expectUnknownType(() => validateDocumentData(bad, typicalLicence()));
    }
  });

  it("publishes a distinct schema hash per type: keccak256 of its canonical JSON schema", () => {
    const hashes = new Set<string>();
    for (const type of documentTypes.values()) {
      expect(type.schemaHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(type.schemaHash).toBe(keccak256(toUtf8Bytes(canonicalJson(type.jsonSchema as JsonValue))));
      expect(type.jsonSchema.title).toBe(`${type.id}@1`);
      hashes.add(type.schemaHash);
    }
    expect(hashes.size).toBe(4);
  });

  it("computes the same schema hashes each time the module loads", async () => {
    const before = Object.fromEntries([...documentTypes.values()].map((t) => [t.id, t.schemaHash]));
    vi.resetModules();
    const fresh = await import("../../../services/domain/document-types.ts");
    expect(fresh.documentTypes).not.toBe(documentTypes);
    expect(Object.fromEntries([...fresh.documentTypes.values()].map((t) => [t.id, t.schemaHash]))).toEqual(before);
  });
});
