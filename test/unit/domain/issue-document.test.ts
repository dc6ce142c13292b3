import { describe, expect, it } from "vitest";
import { computeDocumentHash, makeSalts } from "../../../services/domain/document-hash.ts";
import { prepareDocument } from "../../../services/domain/issue-document.ts";
import { isEProofError } from "../../../services/errors.ts";
import { hex, ISSUED_AT, seededRandom, typicalLicence } from "./fixtures.ts";

function input(overrides: Partial<Parameters<typeof prepareDocument>[0]> = {}) {
  const random = seededRandom("prepare");
  const data = typicalLicence();
  return { type: "licence", data, issuer: "DEMO", issuedAt: ISSUED_AT, id: hex(random(16)), salts: makeSalts(Object.keys(data), random), ...overrides };
}

describe("preparing a document for issuance", () => {
  it("builds the header, hashes the data and encodes the claim of that hash", () => {
    const prepared = prepareDocument(input());
    expect(prepared.header).toEqual({ id: input().id, type: "licence", typeVersion: 1, issuer: "DEMO", issuedAt: ISSUED_AT });
    expect(prepared.documentHash).toBe(computeDocumentHash(prepared));
    expect(prepared.claim.documentHash).toBe(prepared.documentHash);
  });

  it("stores and hashes the data in Unicode NFC", () => {
    const data = typicalLicence();
    (data.holder as { name: { en: string } }).name.en = "Chan Tai Man Jose\u0301";
    const prepared = prepareDocument(input({ data }));
    expect((prepared.data.holder as { name: { en: string } }).name.en).toBe("Chan Tai Man José");
  });

  it("refuses a malformed id, department code or issue time with INVALID_DOCUMENT", () => {
    const bad = [
      { id: "ABCDEF".padEnd(32, "0") },
      { id: "ab" },
      { issuer: "demo" },
      { issuer: "D" },
      { issuedAt: "2026-11-22T10:00:00.123Z" },
      { issuedAt: "2026-11-22 10:00:00" },
      { issuedAt: "2026-13-22T10:00:00Z" },
    ];
    for (const overrides of bad) {
      let thrown: unknown;
      try {
        prepareDocument(input(overrides));
      } catch (error) {
        thrown = error;
      }
      expect(isEProofError(thrown, "INVALID_DOCUMENT"), JSON.stringify(overrides)).toBe(true);
    }
  });
});
