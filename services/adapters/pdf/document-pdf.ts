/**
 * The document PDF: one A4 page (more only when the facts run long) with the issuing department, the
 * title and the key facts in English and Traditional Chinese, the QR code with a caption on how to
 * verify and the verify page's address, and the e-Proof file embedded as the attachment `eproof.json`,
 * so the PDF alone is enough to verify the document.
 */
import { AFRelationship, PDFDocument, type PDFFont, type PDFPage, PDFString, rgb } from "pdf-lib";
import { loadPdfFonts, subsettingFontkit } from "./pdf-fonts.ts";

export { EPROOF_ATTACHMENT_NAME, extractEProofJson } from "./extract-eproof-json.ts";

export interface Bilingual {
  en: string;
  zhHK: string;
}

export interface DocumentPdfInput {
  title: Bilingual;
  department: Bilingual;
  /** The document id (32 hex chars), printed small as the "e-Proof ID" for look-ups by phone or email. */
  documentId: string;
  /** The issue date as a Hong Kong date, already written out (e.g. "22 November 2026 · 2026年11月22日"), printed with the id. */
  issuedOn?: string;
  /** The key facts, in the order to print them. */
  facts: Array<{ label: Bilingual; value: string }>;
  /** The QR code as PNG, quiet zone included (see renderQrPng). */
  qrPng: Uint8Array;
  /** How to verify, each language ending where the verify address follows, e.g. "…, or upload this PDF at". */
  qrCaption: Bilingual;
  /** The verify page's address (e.g. "https://eproof.example.gov.hk/verify"), printed after each caption and linked. */
  verifyAddress?: string;
  /** The e-Proof file (JSON text), attached as `eproof.json`. */
  eproofJson: string;
}

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const MARGIN = 18 * MM;
const CONTENT_WIDTH = A4.width - 2 * MARGIN;
/** The QR image with its 4-module quiet zone; the symbol itself is then over 35 mm from version 3 up. */
const QR_IMAGE_SIZE = 45 * MM;
const LABEL_COLUMN = 62 * MM;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.38, 0.4, 0.44);
const RULE = rgb(0.8, 0.82, 0.85);
const ACCENT = rgb(0.05, 0.28, 0.5);

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** Renders the document PDF with the e-Proof JSON attached as `eproof.json`. */
export async function renderDocumentPdf(input: DocumentPdfInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(subsettingFontkit);
  const fontBytes = await loadPdfFonts();
  const fonts: Fonts = {
    regular: await doc.embedFont(fontBytes.regular, { subset: true }),
    bold: await doc.embedFont(fontBytes.bold, { subset: true }),
  };
  doc.setTitle(`${clean(input.title.en)} ${clean(input.title.zhHK)}`);
  doc.setAuthor(`${clean(input.department.en)} ${clean(input.department.zhHK)}`);
  doc.setSubject(`e-Proof ID ${clean(input.documentId)}`);
  doc.setCreator("e-Proof");
  doc.setProducer("e-Proof");
  doc.setLanguage("en-HK");

  let page = doc.addPage([A4.width, A4.height]);
  let y = drawHeading(page, fonts, input);

  // The QR block sits at the foot of the first page; facts that reach it continue on a new page.
  const qrTop = MARGIN + 14 + QR_IMAGE_SIZE;
  let floor = qrTop + 16;
  for (const fact of input.facts) {
    const row = layoutFact(fonts, fact);
    if (y - row.height < floor) {
      page = doc.addPage([A4.width, A4.height]);
      y = A4.height - MARGIN;
      floor = MARGIN + 20;
    }
    y = drawFact(page, fonts, row, y);
  }

  const firstPage = doc.getPage(0);
  await drawQrBlock(doc, firstPage, fonts, input);
  for (const each of doc.getPages()) drawFooter(each, fonts);

  await doc.attach(new TextEncoder().encode(input.eproofJson), "eproof.json", {
    mimeType: "application/json",
    description: "e-Proof file: the signed document, to verify with the e-Proof verify page, API or CLI",
    afRelationship: AFRelationship.Source,
  });
  return doc.save();
}

function drawHeading(page: PDFPage, fonts: Fonts, input: DocumentPdfInput): number {
  let y = A4.height - MARGIN;
  y = drawLines(page, wrap(clean(input.department.en), fonts.bold, 11, CONTENT_WIDTH), fonts.bold, 11, MARGIN, y, ACCENT);
  y = drawLines(page, wrap(clean(input.department.zhHK), fonts.regular, 11, CONTENT_WIDTH), fonts.regular, 11, MARGIN, y, ACCENT);
  y -= 8;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4.width - MARGIN, y }, thickness: 1.2, color: ACCENT });
  y -= 26;
  y = drawLines(page, wrap(clean(input.title.en), fonts.bold, 20, CONTENT_WIDTH), fonts.bold, 20, MARGIN, y, INK);
  y -= 3;
  y = drawLines(page, wrap(clean(input.title.zhHK), fonts.bold, 18, CONTENT_WIDTH), fonts.bold, 18, MARGIN, y, INK);
  y -= 8;
  const issued = input.issuedOn ? `Issued on 簽發日期  ${clean(input.issuedOn)}     ` : "";
  const idLine = `${issued}e-Proof ID e-Proof 識別碼  ${clean(input.documentId)}`;
  y = drawLines(page, wrap(idLine, fonts.regular, 8.5, CONTENT_WIDTH), fonts.regular, 8.5, MARGIN, y, MUTED);
  return y - 10;
}

interface FactRow {
  labelLines: Array<{ text: string; size: number }>;
  valueLines: string[];
  height: number;
}

const VALUE_SIZE = 11;
const CAPTION_SIZE = 10.5;
const LABEL_SIZE = 8.5;
const ROW_PADDING = 5;

function layoutFact(fonts: Fonts, fact: { label: Bilingual; value: string }): FactRow {
  const labelWidth = LABEL_COLUMN - 8;
  const labelLines = [
    ...wrap(clean(fact.label.en), fonts.regular, LABEL_SIZE, labelWidth),
    ...wrap(clean(fact.label.zhHK), fonts.regular, LABEL_SIZE, labelWidth),
  ].map((text) => ({ text, size: LABEL_SIZE }));
  const valueLines = fact.value.split(/\r?\n/).flatMap((paragraph) => wrap(clean(paragraph), fonts.regular, VALUE_SIZE, CONTENT_WIDTH - LABEL_COLUMN));
  const labelHeight = labelLines.length * lineHeight(LABEL_SIZE);
  const valueHeight = valueLines.length * lineHeight(VALUE_SIZE);
  return { labelLines, valueLines, height: Math.max(labelHeight, valueHeight) + 2 * ROW_PADDING };
}

function drawFact(page: PDFPage, fonts: Fonts, row: FactRow, top: number): number {
  let labelY = top - ROW_PADDING;
  for (const line of row.labelLines) {
    labelY -= lineHeight(line.size);
    page.drawText(line.text, { x: MARGIN, y: labelY + 2, size: line.size, font: fonts.regular, color: MUTED });
  }
  drawLines(page, row.valueLines, fonts.regular, VALUE_SIZE, MARGIN + LABEL_COLUMN, top - ROW_PADDING, INK);
  const bottom = top - row.height;
  page.drawLine({ start: { x: MARGIN, y: bottom }, end: { x: A4.width - MARGIN, y: bottom }, thickness: 0.5, color: RULE });
  return bottom;
}

async function drawQrBlock(doc: PDFDocument, page: PDFPage, fonts: Fonts, input: DocumentPdfInput): Promise<void> {
  const image = await doc.embedPng(input.qrPng);
  const bottom = MARGIN + 14;
  page.drawImage(image, { x: MARGIN, y: bottom, width: QR_IMAGE_SIZE, height: QR_IMAGE_SIZE });
  const x = MARGIN + QR_IMAGE_SIZE + 6 * MM;
  const width = A4.width - MARGIN - x;
  let y = bottom + QR_IMAGE_SIZE - 10;
  y = drawLines(page, wrap(clean(input.qrCaption.en), fonts.bold, CAPTION_SIZE, width), fonts.bold, CAPTION_SIZE, x, y, INK);
  if (input.verifyAddress) y = drawAddress(doc, page, fonts, input.verifyAddress, x, y, width);
  y -= 4;
  y = drawLines(page, wrap(clean(input.qrCaption.zhHK), fonts.regular, CAPTION_SIZE, width), fonts.regular, CAPTION_SIZE, x, y, INK);
  if (input.verifyAddress) drawAddress(doc, page, fonts, input.verifyAddress, x, y, width);
}

/** The verify address on its own line(s), in the accent colour and linked, so a reader on screen can click it. */
function drawAddress(doc: PDFDocument, page: PDFPage, fonts: Fonts, address: string, x: number, top: number, width: number): number {
  const lines = wrap(clean(address), fonts.bold, CAPTION_SIZE, width);
  const y = drawLines(page, lines, fonts.bold, CAPTION_SIZE, x, top, ACCENT);
  if (/^https?:\/\//i.test(address)) {
    const right = x + Math.max(...lines.map((line) => fonts.bold.widthOfTextAtSize(line, CAPTION_SIZE)));
    const link = doc.context.obj({
      Type: "Annot",
      Subtype: "Link",
      Rect: [x, y, right, top],
      Border: [0, 0, 0],
      A: { Type: "Action", S: "URI", URI: PDFString.of(clean(address)) },
    });
    page.node.addAnnot(doc.context.register(link));
  }
  return y;
}

function drawFooter(page: PDFPage, fonts: Fonts): void {
  const text = "The e-Proof file (eproof.json) is attached to this PDF.  本PDF附有e-Proof檔案（eproof.json）。";
  page.drawText(text, { x: MARGIN, y: MARGIN - 6, size: 7.5, font: fonts.regular, color: MUTED });
}

/** Draws lines top-down from `top` (the top of the first line box); returns the y below the last. */
function drawLines(page: PDFPage, lines: string[], font: PDFFont, size: number, x: number, top: number, color: ReturnType<typeof rgb>): number {
  let y = top;
  for (const line of lines) {
    y -= lineHeight(size);
    page.drawText(line, { x, y: y + size * 0.25, size, font, color });
  }
  return y;
}

function lineHeight(size: number): number {
  return size * 1.4;
}

/** Control characters would draw as boxes (and newlines are handled by the caller). */
function clean(text: string): string {
  return (
    text
      .normalize("NFC")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u001f\u007f]+/g, " ")
      .trim()
  );
}

// Han, CJK punctuation and full-width forms break anywhere; other text breaks at spaces.
const TOKENS = /\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u{20000}-\u{3ffff}]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u{20000}-\u{3ffff}]+/gu;

/** Greedy line breaking to `maxWidth` points. */
function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = "";
  const width = (value: string): number => font.widthOfTextAtSize(value, size);
  for (const token of text.match(TOKENS) ?? []) {
    if (line === "" && /^\s+$/.test(token)) continue;
    const candidate = line + token;
    if (width(candidate.trimEnd()) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line.trim() !== "") lines.push(line.trimEnd());
    line = /^\s+$/.test(token) ? "" : token;
    // A single word wider than the column (a long id, a URL) is cut by characters.
    let chars = Array.from(line);
    while (width(line) > maxWidth && chars.length > 1) {
      let cut = chars.length - 1;
      while (cut > 1 && width(chars.slice(0, cut).join("")) > maxWidth) cut--;
      lines.push(chars.slice(0, cut).join(""));
      chars = chars.slice(cut);
      line = chars.join("");
    }
  }
  if (line.trim() !== "") lines.push(line.trimEnd());
  return lines;
}
