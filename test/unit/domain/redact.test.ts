import { describe, expect, it } from "vitest";
import { computeDocumentHash } from "../../../services/domain/document-hash.ts";
import { redactDocument } from "../../../services/domain/redact.ts";
import type { EProofDocument } from "../../../services/domain/types.ts";
import { isEProofError } from "../../../services/errors.ts";
import { verifyDocument } from "../../../services/use-cases/verify-document.ts";
import { anchoredLicence, copy, fakeLedger, ledgerRecord, verifyDeps } from "./fixtures.ts";

function expectBadRequest(doc: EProofDocument, hide: string[]): void {
  let thrown: unknown;
  try {
    redactDocument(doc, hide);
  } catch (error) {
    thrown = error;
  }
  expect(isEProofError(thrown, "BAD_REQUEST"), `hiding ${hide.join(", ")}: expected BAD_REQUEST, got ${String(thrown)}`).toBe(true);
}

describe("selective disclosure", () => {
  it("keeps a copy without premises and conditions VALID, and reports what was withheld", async () => {
    const doc = await anchoredLicence("redact-valid");
    const redacted = copy(redactDocument(doc, ["premises", "conditions"]));
    expect(redacted.data).not.toHaveProperty("premises");
    expect(redacted.data).not.toHaveProperty("conditions");
    expect(redacted.salts).not.toHaveProperty("premises");
    expect(Object.keys(redacted.hidden ?? {}).sort()).toEqual(["conditions", "premises"]);
    for (const digest of Object.values(redacted.hidden ?? {})) expect(digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(computeDocumentHash(redacted)).toBe(computeDocumentHash(doc));
    expect(JSON.stringify(redacted)).not.toContain("Wing Fat");

    const ledger = fakeLedger(ledgerRecord());
    const result = await verifyDocument(redacted, verifyDeps(ledger));
    expect(result.verdict).toBe("VALID");
    expect(result.document?.hidden.sort()).toEqual(["conditions", "premises"]);
    expect(ledger.calls).toHaveLength(1);
  });

  it("gives the same copy whether fields are withheld at once or one after another", async () => {
    const doc = await anchoredLicence("redact-steps");
    expect(redactDocument(redactDocument(doc, ["premises"]), ["conditions"])).toEqual(redactDocument(doc, ["premises", "conditions"]));
  });

  it("leaves the original document untouched", async () => {
    const doc = await anchoredLicence("redact-pure");
    const before = copy(doc);
    redactDocument(doc, ["premises", "conditions"]);
    expect(doc).toEqual(before);
  });

  it("refuses to hide a key fact of the type (holder, validity, number) with BAD_REQUEST", async () => {
    const doc = await anchoredLicence("redact-claim");
    for (const field of ["holder", "documentNumber", "validFrom", "validUntil"]) expectBadRequest(doc, [field]);
    expectBadRequest(doc, ["premises", "holder"]);
  });

  it("refuses to hide a header field with BAD_REQUEST", async () => {
    const doc = await anchoredLicence("redact-header");
    for (const field of ["id", "type", "typeVersion", "issuer", "issuedAt"]) expectBadRequest(doc, [field]);
  });

  it("withholds a field named twice in the request once", async () => {
    const doc = await anchoredLicence("redact-twice");
    expect(redactDocument(doc, ["premises", "premises"])).toEqual(redactDocument(doc, ["premises"]));
  });

  it("refuses to hide a field the document does not disclose with BAD_REQUEST", async () => {
    const doc = await anchoredLicence("redact-unknown");
    for (const field of ["nickname", "", "toString", "__proto__", "constructor"]) expectBadRequest(doc, [field]);
    expectBadRequest(redactDocument(doc, ["premises"]), ["premises"]);
  });

  it("refuses to redact a document of an unknown type with UNKNOWN_TYPE", async () => {
    const doc = await anchoredLicence("redact-type");
    let thrown: unknown;
    try {
      redactDocument({ ...doc, header: { ...doc.header, type: "passport" } }, ["premises"]);
    } catch (error) {
      thrown = error;
    }
    expect(isEProofError(thrown, "UNKNOWN_TYPE")).toBe(true);
  });
});
