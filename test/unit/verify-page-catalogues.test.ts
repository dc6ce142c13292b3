/**
 * The verify page's two message catalogues: the same keys, every key the page uses present, every
 * verdict, check, status, document type and reason code worded, and the reason words the same as the
 * domain's (services/domain/reason-codes.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { documentTypes } from "../../services/domain/document-types.ts";
import { REASON_CODES } from "../../services/domain/reason-codes.ts";
import { CHECK_ORDER } from "../../services/domain/verdict.ts";
import { verificationResultSchema } from "../../services/use-cases/verify-document.ts";

const PUBLIC = new URL("../../services/adapters/http/public/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, PUBLIC), "utf8");
const catalogues = { en: JSON.parse(read("i18n/en.json")), "zh-HK": JSON.parse(read("i18n/zh-HK.json")) } as Record<string, Record<string, string>>;

describe("verify page catalogues", () => {
  it("hold the same keys in English and Chinese, none empty", () => {
    expect(Object.keys(catalogues["zh-HK"] ?? {}).sort()).toEqual(Object.keys(catalogues.en ?? {}).sort());
    for (const catalogue of Object.values(catalogues)) for (const text of Object.values(catalogue)) expect(text.trim()).not.toBe("");
  });

  it("word every key the page's HTML and script name literally", () => {
    const html = read("verify.html");
    const script = read("verify.js");
    const keys = new Set([
      ...[...html.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)].map((m) => m[1] as string),
      ...[...script.matchAll(/\bt\("([^"]+)"/g)].map((m) => m[1] as string),
      ...[...script.matchAll(/showState\("([^"]+)"/g)].map((m) => m[1] as string),
    ]);
    expect(keys.size).toBeGreaterThan(20);
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      expect(
        [...keys].filter((key) => !(key in catalogue)),
        `${lang} lacks`,
      ).toEqual([]);
    }
  });

  it("word every verdict, check, check status and document type", () => {
    const verdicts = verificationResultSchema.shape.verdict.options;
    for (const catalogue of Object.values(catalogues)) {
      for (const v of verdicts) {
        expect(catalogue[`verdict.${v}`]).toBeDefined();
        expect(catalogue[`verdict.${v}.detail`]).toBeDefined();
      }
      for (const name of CHECK_ORDER) {
        expect(catalogue[`check.${name}`]).toBeDefined();
        expect(catalogue[`check.${name}.VALID`]).toBeDefined();
        expect(catalogue[`check.${name}.INVALID`]).toBeDefined();
      }
      for (const status of ["VALID", "INVALID", "SKIPPED", "ERROR"]) expect(catalogue[`status.${status}`]).toBeDefined();
      for (const type of documentTypes.keys()) expect(catalogue[`type.${type}`]).toBeDefined();
    }
    expect(catalogues.en?.["verdict.PENDING.detail"]).toContain("try again in a minute");
    expect(catalogues.en?.["verdict.UNAVAILABLE.detail"]).toContain("this does not mean the document is invalid");
  });

  it("word the on-chain reason codes as the domain does", () => {
    for (const [code, words] of Object.entries(REASON_CODES)) {
      expect(catalogues.en?.[`reason.${code}`]).toBe(words.en);
      expect(catalogues["zh-HK"]?.[`reason.${code}`]).toBe(words["zh-HK"]);
    }
  });
});
