import { readFileSync } from "node:fs";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { documentPdfs, verifyAddressOf } from "../../../services/adapters/pdf/document-pdf-input.ts";
import { renderQrPng } from "../../../services/adapters/qr/qr-code.ts";
import type { EProofDocument, Hex, JsonValue } from "../../../services/domain/types.ts";
import { pdfText, requirePdftotext } from "./pdf-text.ts";

const PUBLIC_URL = "https://eproof.example.gov.hk/";
const VERIFY_ADDRESS = "https://eproof.example.gov.hk/verify";
const DEPARTMENT = { en: "Food and Environmental Hygiene Department (demo)", zhHK: "食物環境衞生署（示範）" };
const ID = "0123456789abcdef0123456789abcdef";
const TYPES = ["licence", "permit", "subsidy-agreement", "certificate"];

function example(type: string): Record<string, JsonValue> {
  return (JSON.parse(readFileSync(new URL(`../../../docs/examples/${type}.json`, import.meta.url), "utf8")) as { data: Record<string, JsonValue> }).data;
}

/** An e-Proof file as the PDF sees it: the renderer prints, it does not verify, so the salts and signature are placeholders. */
function documentOf(type: string, issuedAt: string, hidden?: Record<string, Hex>): EProofDocument {
  return {
    eproof: 1,
    header: { id: ID, type, typeVersion: 1, issuer: "DEMO", issuedAt },
    data: example(type),
    salts: {},
    ...(hidden ? { hidden } : {}),
    signature: { jws: "e30.e30.sig", jwk: { kty: "EC", crv: "P-256", x: "x", y: "y" } },
  };
}

async function pdfOf(document: EProofDocument): Promise<Uint8Array> {
  const qrPng = await renderQrPng(`HTTPS://EPROOF.EXAMPLE.GOV.HK/VERIFY#${"1".repeat(300)}`);
  return documentPdfs(PUBLIC_URL).documentPdf(document, qrPng, DEPARTMENT);
}

describe("the document PDF as the service prints it", () => {
  it("dates a document issued at 20:15 UTC on 1 December 2026 (04:15 in Hong Kong) 2 December 2026 · 2026年12月2日", async (context) => {
    requirePdftotext(context);
    const text = pdfText(await pdfOf(documentOf("licence", "2026-12-01T20:15:00Z")));
    expect(text).toMatch(/Issued on 簽發日期\s+2 December 2026 · 2026年12月2日/);
    expect(text).not.toContain("1 December 2026");
    expect(text).not.toContain("2026年12月1日");
  });

  it("dates a document issued at 15:59:59 UTC on the same Hong Kong day, and at 16:00 UTC on the next", async (context) => {
    requirePdftotext(context);
    expect(pdfText(await pdfOf(documentOf("licence", "2026-12-01T15:59:59Z")))).toContain("1 December 2026 · 2026年12月1日");
    expect(pdfText(await pdfOf(documentOf("licence", "2026-12-01T16:00:00Z")))).toContain("2 December 2026 · 2026年12月2日");
  });

  it("prints the validity period as the calendar dates the department gave, in both languages", async (context) => {
    requirePdftotext(context);
    const text = pdfText(await pdfOf(documentOf("licence", "2026-12-01T20:15:00Z")));
    expect(text).toContain("1 January 2026 to 31 December 2027");
    expect(text).toContain("2026年1月1日至2027年12月31日");
  });

  it("prints the verify address after the English and after the Chinese caption, and links it", async (context) => {
    requirePdftotext(context);
    const pdf = await pdfOf(documentOf("permit", "2026-12-01T20:15:00Z"));
    const lines = pdfText(pdf)
      .split("\n")
      .map((line) => line.trim());
    const english = lines.findIndex((line) => line.startsWith("To check that this permit is genuine"));
    const chinese = lines.findIndex((line) => line.startsWith("如要核實此許可證是否真確"));
    expect(english).toBeGreaterThan(-1);
    expect(chinese).toBeGreaterThan(english);
    expect(lines.slice(english, chinese)).toContain(VERIFY_ADDRESS);
    expect(lines.slice(chinese)).toContain(VERIFY_ADDRESS);
    expect(lines.slice(english, chinese).join(" ")).toContain("or upload this PDF at");
    expect(lines.slice(chinese).join("")).toContain("或於以下網址上載本PDF：");

    const page = (await PDFDocument.load(pdf)).getPage(0);
    const annotations = page.node.lookup(PDFName.of("Annots"), PDFArray);
    const uris = annotations.asArray().map((ref) => {
      const action = (page.doc.context.lookup(ref) as PDFDict).lookup(PDFName.of("A"), PDFDict);
      return action.lookup(PDFName.of("URI"), PDFString).decodeText();
    });
    expect(uris).toEqual([VERIFY_ADDRESS, VERIFY_ADDRESS]);
  });

  it("writes the verify address as people type it: the public URL without a trailing slash, then /verify", () => {
    expect(verifyAddressOf("https://eproof.example.gov.hk/")).toBe(VERIFY_ADDRESS);
    expect(verifyAddressOf("http://localhost:8080")).toBe("http://localhost:8080/verify");
  });

  it("names the e-Proof ID and the licence number with one term each, in both languages", async (context) => {
    requirePdftotext(context);
    const text = pdfText(await pdfOf(documentOf("licence", "2026-12-01T20:15:00Z")));
    expect(text).toMatch(new RegExp(`e-Proof ID e-Proof 識別碼\\s+${ID}`));
    expect(text).toMatch(/Licence number\s+FFL-2026-004217/);
    expect(text).toContain("牌照號碼");
    // 文件編號 is the generic "Document number"; on a licence it is neither the id nor the number's label.
    expect(text).not.toContain("文件編號");
    expect(text).not.toContain("Document ID");
  });

  it("names a withheld field by the label it would have been printed with, in both languages", async (context) => {
    requirePdftotext(context);
    const text = pdfText(await pdfOf(documentOf("licence", "2026-12-01T20:15:00Z", { premises: `0x${"ab".repeat(32)}`, conditions: `0x${"cd".repeat(32)}` })));
    expect(text).toMatch(/Withheld by the holder\s+Licensed premises 持牌處所/);
    expect(text).toMatch(/\s{2,}Conditions 條件/);
  });

  for (const type of TYPES) {
    it(`prints a ${type} on one page`, async () => {
      const pdf = await pdfOf(documentOf(type, "2026-12-01T20:15:00Z"));
      expect((await PDFDocument.load(pdf)).getPageCount()).toBe(1);
    });
  }
});
