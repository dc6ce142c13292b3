/**
 * What a holder takes away: the PDF of each document type (one page; its printed QR, read off the
 * rendered page, verifies; it prints the Hong Kong issue date and the verify address) and a redacted
 * copy that withholds chosen fields and still verifies VALID.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chineseHongKongDate, englishHongKongDate } from "../../services/domain/hong-kong-date.ts";
import { requirePdftoppm } from "../tool-required.ts";
import { pdfText, requirePdftotext } from "../unit/pdf/pdf-text.ts";
import { readQrFromPng } from "../unit/qr/read-qr-image.ts";
import { api, downloadEProof, removeDataDir, runEproof, startTestService, type TestService, waitUntilAnchored } from "./test-service.ts";

const EXAMPLES = ["licence", "permit", "subsidy-agreement", "certificate"].map((type) => ({
  type,
  request: JSON.parse(readFileSync(new URL(`../../docs/examples/${type}.json`, import.meta.url), "utf8")) as { type: string; data: Record<string, unknown> },
}));

describe("holder copies: PDFs of every type and redacted copies", () => {
  let service: TestService;
  let workDir: string;
  const issued = new Map<string, { id: string; verifyUrl: string }>();

  beforeAll(async () => {
    service = await startTestService();
    workDir = mkdtempSync(join(tmpdir(), "eproof-holder-"));
    for (const { type, request } of EXAMPLES) {
      const { status, body } = await api(service, "POST", "/api/v1/documents", request);
      expect(status).toBe(202);
      issued.set(type, { id: body.id, verifyUrl: body.verifyUrl });
    }
    for (const { id } of issued.values()) await waitUntilAnchored(service, id);
  });

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const { type } of EXAMPLES) {
    it(`prints a ${type} PDF whose QR, read off the rendered page, verifies VALID; the PDF itself verifies too`, async (context) => {
      const { id, verifyUrl } = issued.get(type) as { id: string; verifyUrl: string };
      const pdf = await api(service, "GET", `/api/v1/documents/${id}/pdf`);
      expect(pdf.status).toBe(200);
      const bytes = new Uint8Array(pdf.body as Buffer);
      console.info(`${type} PDF: ${bytes.length} bytes`);
      expect(bytes.length).toBeLessThan(100_000);
      expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
      expect((await api(service, "POST", "/api/v1/verify", bytes, { "content-type": "application/pdf" })).body.verdict).toBe("VALID");
      requirePdftoppm(context);
      const prefix = join(workDir, type);
      execFileSync("pdftoppm", ["-r", "150", "-png", "-f", "1", "-l", "1", "-", prefix], { input: bytes });
      const scanned = readQrFromPng(readFileSync(`${prefix}-1.png`));
      expect(scanned).toBe(verifyUrl);
      expect((await api(service, "POST", "/api/v1/verify", { qr: scanned })).body.verdict).toBe("VALID");
    });

    it(`prints on the ${type} PDF its Hong Kong issue date, its e-Proof ID and the verify address under both captions`, async (context) => {
      requirePdftotext(context);
      const { id, verifyUrl } = issued.get(type) as { id: string; verifyUrl: string };
      const { issuedAt } = (await downloadEProof(service, id)).header as { issuedAt: string };
      const text = pdfText(new Uint8Array((await api(service, "GET", `/api/v1/documents/${id}/pdf`)).body as Buffer));
      expect(text).toContain(`${englishHongKongDate(issuedAt)} · ${chineseHongKongDate(issuedAt)}`);
      expect(text).toMatch(new RegExp(`e-Proof ID e-Proof 識別碼\\s+${id}`));
      // The address a person types: where the QR points, in lower case (the QR's is upper case for a smaller code).
      const address = (verifyUrl.split("#")[0] as string).toLowerCase();
      const addressLines = text.split("\n").filter((line) => line.trim() === address);
      expect(addressLines).toHaveLength(2);
    });
  }

  it("makes a redacted copy through the API that withholds premises and conditions and still verifies VALID", async () => {
    const document = await downloadEProof(service, (issued.get("licence") as { id: string }).id);
    const { status, body: copy } = await api(service, "POST", "/api/v1/redact", { document, hide: ["premises", "conditions"] });
    expect(status).toBe(200);
    expect(copy.data.premises).toBeUndefined();
    expect(copy.data.conditions).toBeUndefined();
    expect(JSON.stringify(copy)).not.toContain("Wing Fat Industrial Building");
    expect(Object.keys(copy.hidden).sort()).toEqual(["conditions", "premises"]);
    const verified = (await api(service, "POST", "/api/v1/verify", { document: copy })).body;
    expect(verified.verdict).toBe("VALID");
    expect(verified.document.hidden.sort()).toEqual(["conditions", "premises"]);
  });

  it("refuses to hide key facts, header fields or fields the document lacks, and non-documents, with clear 4xx errors", async () => {
    const document = await downloadEProof(service, (issued.get("licence") as { id: string }).id);
    const holder = await api(service, "POST", "/api/v1/redact", { document, hide: ["holder"] });
    expect(holder.status).toBe(400);
    expect(holder.body.message ?? holder.body.detail ?? JSON.stringify(holder.body)).toMatch(/key fact/);
    expect((await api(service, "POST", "/api/v1/redact", { document, hide: ["id"] })).status).toBe(400);
    expect((await api(service, "POST", "/api/v1/redact", { document, hide: ["nickname"] })).status).toBe(400);
    expect((await api(service, "POST", "/api/v1/redact", { document, hide: [] })).status).toBe(400);
    expect((await api(service, "POST", "/api/v1/redact", { document: { hello: "world" }, hide: ["premises"] })).status).toBe(422);
    expect((await api(service, "POST", "/api/v1/redact", { hide: ["premises"] })).status).toBe(400);
  });

  it("a tampered redacted copy (a withheld field's digest changed) verifies TAMPERED, never VALID", async () => {
    const document = await downloadEProof(service, (issued.get("licence") as { id: string }).id);
    const copy = (await api(service, "POST", "/api/v1/redact", { document, hide: ["premises"] })).body;
    copy.hidden.premises = `0x${"ab".repeat(32)}`;
    expect((await api(service, "POST", "/api/v1/verify", { document: copy })).body.verdict).toBe("TAMPERED");
  });

  it("`eproof redact` makes the same kind of copy from the PDF, offline, and it verifies VALID", async () => {
    const { id } = issued.get("permit") as { id: string };
    const pdfPath = join(workDir, "permit.pdf");
    writeFileSync(pdfPath, (await api(service, "GET", `/api/v1/documents/${id}/pdf`)).body as Buffer);
    const out = join(workDir, "permit.redacted.json");
    const run = await runEproof(["redact", pdfPath, "--hide", "location,conditions", "--out", out]);
    expect(run.code).toBe(0);
    const copy = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(copy.hidden).sort()).toEqual(["conditions", "location"]);
    expect(copy.data.location).toBeUndefined();
    const verified = (await api(service, "POST", "/api/v1/verify", { document: copy })).body;
    expect(verified.verdict).toBe("VALID");
    expect(verified.document.hidden.sort()).toEqual(["conditions", "location"]);

    const refused = await runEproof(["redact", pdfPath, "--hide", "holder"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/key fact/);
    expect((await runEproof(["redact", pdfPath])).code).toBe(2);
  });
});
