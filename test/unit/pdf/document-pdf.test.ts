import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { extractEProofJson, renderDocumentPdf } from "../../../services/adapters/pdf/document-pdf.ts";
import { isEProofError } from "../../../services/errors.ts";
import { propertyOptions } from "../../property-seed.ts";
import { requirePdftoppm } from "../../tool-required.ts";
import { readQrFromPng } from "../qr/read-qr-image.ts";
import { typicalLicencePdfInput } from "./typical-licence-pdf.ts";

async function expectInvalidPdf(bytes: Uint8Array): Promise<void> {
  const outcome = await extractEProofJson(bytes).then(
    () => "no error",
    (error: unknown) => (isEProofError(error, "INVALID_PDF") ? "INVALID_PDF" : String(error)),
  );
  expect(outcome).toBe("INVALID_PDF");
}

describe("document PDF", () => {
  it("carries the e-Proof JSON as the eproof.json attachment, read back unchanged", async () => {
    const { input } = await typicalLicencePdfInput();
    const pdf = await renderDocumentPdf(input);
    console.info(`typical licence PDF: ${pdf.length} bytes`);
    expect(pdf.length).toBeLessThan(120_000);
    expect(await extractEProofJson(pdf)).toBe(input.eproofJson);
  });

  it("embeds the Chinese font as a small subset of Noto Sans HK", async () => {
    const { input } = await typicalLicencePdfInput();
    const doc = await PDFDocument.load(await renderDocumentPdf(input));
    const fontFiles: Array<{ name: string; bytes: number }> = [];
    for (const [, object] of doc.context.enumerateIndirectObjects()) {
      if (!(object instanceof PDFDict) || object.get(PDFName.of("Type")) !== PDFName.of("FontDescriptor")) continue;
      const file = doc.context.lookup(object.get(PDFName.of("FontFile2")));
      expect(file).toBeInstanceOf(PDFRawStream);
      const name = (object.get(PDFName.of("FontName")) as PDFName).decodeText();
      fontFiles.push({ name, bytes: (file as PDFRawStream).contents.length });
    }
    expect(fontFiles.map((each) => each.name).sort()).toEqual([expect.stringMatching(/^NotoSansHK-Bold/), expect.stringMatching(/^NotoSansHK-Regular/)]);
    // The full fonts are 7 MB each; a subset for one page of text is tens of KB.
    for (const each of fontFiles) expect(each.bytes).toBeLessThan(150_000);
  });

  it("reports INVALID_PDF for random bytes, truncated PDFs and PDFs without the attachment", async () => {
    const { input } = await typicalLicencePdfInput();
    const pdf = await renderDocumentPdf(input);
    await expectInvalidPdf(new Uint8Array(0));
    await expectInvalidPdf(Uint8Array.from(randomBytes(5000)));
    await expectInvalidPdf(new TextEncoder().encode("%PDF-1.7\n% nothing else"));
    await expectInvalidPdf(Uint8Array.from(Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(20_000)])));
    await expectInvalidPdf(new TextEncoder().encode(input.eproofJson));
    const blank = await PDFDocument.create();
    blank.addPage();
    await expectInvalidPdf(await blank.save());
    const started = Date.now();
    for (let i = 1; i <= 40; i++) {
      const cut = Math.floor((pdf.length * i) / 41);
      // A cut may leave the attachment intact (the objects before it parse); otherwise INVALID_PDF.
      await extractEProofJson(pdf.subarray(0, cut)).then(
        (json) => expect(json).toBe(input.eproofJson),
        (error: unknown) => expect(isEProofError(error, "INVALID_PDF")).toBe(true),
      );
    }
    const damage = fc.array(fc.record({ at: fc.nat(pdf.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 20, maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(damage, async (changes) => {
        const damaged = Uint8Array.from(pdf);
        for (const { at, byte } of changes) damaged[at] = byte;
        await extractEProofJson(damaged).then(
          (json) => expect(typeof json).toBe("string"),
          (error: unknown) => expect(isEProofError(error, "INVALID_PDF")).toBe(true),
        );
      }),
      propertyOptions({ numRuns: 40 }),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("prints a QR code that a scanner reads from the rendered page", async (context) => {
    requirePdftoppm(context);
    const { input, url } = await typicalLicencePdfInput();
    const pdf = await renderDocumentPdf(input);
    const dir = mkdtempSync(join(tmpdir(), "eproof-pdf-"));
    try {
      execFileSync("pdftoppm", ["-r", "150", "-png", "-f", "1", "-l", "1", "-", join(dir, "page")], { input: pdf });
      const png = readFileSync(join(dir, "page-1.png"));
      expect(readQrFromPng(png)).toBe(url);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
