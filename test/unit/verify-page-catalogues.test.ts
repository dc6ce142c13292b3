/**
 * The verify page's three message catalogues (English, Traditional and Simplified Chinese): the same
 * keys, every key the page uses present, every verdict, check, check code, error code, field,
 * status, document type and reason code worded — so that the page never has to show the server's
 * English text — and the reason words the same as the domain's (services/domain/reason-codes.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HTTP_STATUS } from "../../services/adapters/http/error-status.ts";
import { documentTypes } from "../../services/domain/document-types.ts";
import { REASON_CODES } from "../../services/domain/reason-codes.ts";
import { CHECK_ORDER } from "../../services/domain/verdict.ts";
import type { LedgerStatus } from "../../services/use-cases/public-document-status.ts";
import { verificationResultSchema } from "../../services/use-cases/verify-document.ts";

const PUBLIC = new URL("../../services/adapters/http/public/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, PUBLIC), "utf8");
const LANGS = ["en", "zh-HK", "zh-CN"] as const;
const catalogues = Object.fromEntries(LANGS.map((lang) => [lang, JSON.parse(read(`i18n/${lang}.json`))])) as Record<string, Record<string, string>>;
const source = (path: string) => readFileSync(new URL(`../../services/${path}`, import.meta.url), "utf8");

/** Every code a check can fail with, read from the code that fails checks: `invalid("<check>", "<CODE>"` and `fail("<CODE>"`. */
function checkCodes(): string[] {
  const files = ["domain/checks.ts", "use-cases/verify-document.ts", "use-cases/verify-submission.ts"].map(source).join("\n");
  const codes = new Set([...files.matchAll(/\binvalid\(\s*"\w+",\s*"([A-Z_]+)"/g), ...files.matchAll(/\bfail\(\s*"([A-Z_]+)"/g)].map((m) => m[1] as string));
  return [...codes].sort();
}

describe("verify page catalogues", () => {
  it("hold the same keys in English, Traditional and Simplified Chinese, in the same order, none empty", () => {
    for (const lang of LANGS) expect(Object.keys(catalogues[lang] ?? {}), lang).toEqual(Object.keys(catalogues.en ?? {}));
    for (const catalogue of Object.values(catalogues)) for (const text of Object.values(catalogue)) expect(text.trim()).not.toBe("");
  });

  it("keep each placeholder in every language", () => {
    for (const [key, english] of Object.entries(catalogues.en ?? {})) {
      const wanted = [...english.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();
      for (const lang of LANGS) expect([...(catalogues[lang]?.[key] ?? "").matchAll(/\{\w+\}/g)].map((m) => m[0]).sort(), `${lang} ${key}`).toEqual(wanted);
    }
  });

  it("are in their own script: no Traditional-only characters in zh-CN, and the Chinese catalogues differ", () => {
    // Characters common in our texts that Simplified Chinese writes otherwise (the document's own text is not in the catalogue).
    const traditional = /[實記錄帳證簽發銷暫態類別資處條際網絡檔選擇請於過號碼鏈區塊識頒計劃審級屆滿內]/;
    for (const [key, text] of Object.entries(catalogues["zh-CN"] ?? {})) expect(text, `zh-CN ${key}`).not.toMatch(traditional);
    expect(catalogues["zh-CN"]?.["verdict.REVOKED"]).not.toBe(catalogues["zh-HK"]?.["verdict.REVOKED"]);
  });

  it("word every key the page's HTML and script name literally", () => {
    const html = read("verify.html");
    const script = read("verify.js");
    const keys = new Set([
      ...[...html.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)].map((m) => m[1] as string),
      ...[...script.matchAll(/\bt\("([^"]+)"/g)].map((m) => m[1] as string),
      ...[...script.matchAll(/showState\("([^"]+)"/g)].map((m) => m[1] as string),
      ...[...script.matchAll(/\b(?:tOr\(`[^`]*`|state|detail): "([a-z][\w.]+)"/g)].map((m) => m[1] as string),
      ...[...script.matchAll(/\btOr\(`[^`]+`, "([^"]+)"/g)].map((m) => m[1] as string),
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
    for (const catalogue of Object.values(catalogues)) {
      for (const fallback of [
        "verdict.unknown",
        "verdict.unknown.detail",
        "check.other",
        "status.other",
        "type.other",
        "ledger.other",
        "field.other",
        "error.generic",
        "error.title",
      ]) {
        expect(catalogue[fallback], fallback).toBeDefined();
      }
    }
    expect(catalogues.en?.["verdict.PENDING.detail"]).toContain("try again in a minute");
    expect(catalogues.en?.["verdict.UNAVAILABLE.detail"]).toContain("this does not mean the document is invalid");
  });

  it("word every error code the API can answer with (the page never shows the problem's English message)", () => {
    const codes = Object.keys(HTTP_STATUS);
    expect(codes).toContain("INVALID_QR");
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      expect(
        codes.filter((code) => catalogue[`error.${code}`] === undefined),
        `${lang} lacks`,
      ).toEqual([]);
    }
  });

  it("word every code a check can fail with (the page never shows a check's English reason)", () => {
    const codes = checkCodes();
    for (const known of ["HASH", "SHAPE", "QR_MISMATCH", "BAD_SIGNATURE", "KEY_NOT_VALID", "WRONG_LEDGER", "OUTSIDE_TRUST_PERIOD", "REVOKED", "EXPIRED"])
      expect(codes).toContain(known);
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      expect(
        codes.filter((code) => catalogue[`checkCode.${code}`] === undefined),
        `${lang} lacks`,
      ).toEqual([]);
    }
  });

  it("name every field of every document type (the withheld list and the holder's file show them)", () => {
    const fields = new Set<string>();
    for (const type of documentTypes.values()) for (const name of Object.keys((type.jsonSchema.properties ?? {}) as object)) fields.add(name);
    expect(fields).toContain("premises");
    expect(fields).toContain("subsidyRatePercent");
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      expect(
        [...fields].filter((name) => catalogue[`field.${name}`] === undefined),
        `${lang} lacks`,
      ).toEqual([]);
    }
  });

  it("word the on-chain reason codes as the domain does", () => {
    for (const [code, words] of Object.entries(REASON_CODES)) {
      expect(catalogues.en?.[`reason.${code}`]).toBe(words.en);
      expect(catalogues["zh-HK"]?.[`reason.${code}`]).toBe(words["zh-HK"]);
      expect(catalogues["zh-CN"]?.[`reason.${code}`]).toBeDefined();
    }
  });

  it("word every ledger status the public status lookup can answer, with the sentence's four parts", () => {
    const statuses: Record<LedgerStatus, true> = {
      ACTIVE: true,
      SUSPENDED: true,
      REVOKED: true,
      SUPERSEDED: true,
      PENDING: true,
      NOT_ANCHORED: true,
      UNAVAILABLE: true,
    };
    for (const catalogue of Object.values(catalogues)) {
      for (const status of Object.keys(statuses)) expect(catalogue[`ledger.${status}`]).toBeDefined();
      for (const part of ["{id}", "{type}", "{department}", "{status}"]) expect(catalogue["lookup.detail"]).toContain(part);
      expect(catalogue["verdict.successor"]).toContain("{id}");
    }
  });
});
