/** The examples the issuance threads warm up with are the ones docs/examples shows, and each is valid for its type. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCUMENT_EXAMPLES } from "../../../services/domain/document-examples.ts";
import { documentTypes, validateDocumentData } from "../../../services/domain/document-types.ts";

describe("DOCUMENT_EXAMPLES", () => {
  it("has one example per built-in type, equal to docs/examples/<type>.json and valid for the type", () => {
    expect(Object.keys(DOCUMENT_EXAMPLES).sort()).toEqual([...documentTypes.keys()].sort());
    for (const [type, data] of Object.entries(DOCUMENT_EXAMPLES)) {
      const file = JSON.parse(readFileSync(new URL(`../../../docs/examples/${type}.json`, import.meta.url), "utf8")) as { type: string; data: unknown };
      expect(file.type).toBe(type);
      expect(data, type).toEqual(file.data);
      expect(validateDocumentData(type, data).ok, type).toBe(true);
    }
  });
});
