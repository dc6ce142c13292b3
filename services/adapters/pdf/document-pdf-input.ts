/**
 * Turns an e-Proof file into the PDF renderer's input: one layout per document type, with bilingual
 * labels, dates written out in English and Chinese, and conditions numbered. A field a layout does
 * not name (a later type version, say) is still printed, after the named ones, so nothing is dropped.
 * `documentPdfs` is the adapter behind the PdfRenderer and PdfReader ports; the QR image comes in
 * rendered (adapters/qr, through the QrRenderer port), so this folder never imports another kind.
 */
import { getDocumentType } from "../../domain/document-types.ts";
import type { EProofDocument, JsonValue } from "../../domain/types.ts";
import type { PdfReader, PdfRenderer } from "../../ports.ts";
import { type Bilingual, extractEProofJson, renderDocumentPdf } from "./document-pdf.ts";

type Row = { label: Bilingual; value: string };
type Data = Record<string, JsonValue>;

interface TypeLayout {
  /** What the type calls its number, e.g. "Licence number". */
  numberLabel: Bilingual;
  /** The party the document is about: holder (a person) or beneficiary (an organisation). */
  party: { field: string; label: Bilingual; idLabel: Bilingual; idField: string };
  /** The type's own facts, in print order. */
  subject: Array<{ field: string; label: Bilingual; format?: (value: JsonValue) => string }>;
}

const LAYOUTS: Record<string, TypeLayout> = {
  licence: {
    numberLabel: { en: "Licence number", zhHK: "牌照號碼" },
    party: { field: "holder", label: { en: "Licensee", zhHK: "持牌人" }, idLabel: { en: "Identity document", zhHK: "身份證明文件" }, idField: "idMasked" },
    subject: [{ field: "premises", label: { en: "Licensed premises", zhHK: "持牌處所" } }],
  },
  permit: {
    numberLabel: { en: "Permit number", zhHK: "許可證號碼" },
    party: { field: "holder", label: { en: "Permit holder", zhHK: "持證人" }, idLabel: { en: "Identity document", zhHK: "身份證明文件" }, idField: "idMasked" },
    subject: [
      { field: "activity", label: { en: "Permitted activity", zhHK: "許可活動" } },
      { field: "location", label: { en: "Location", zhHK: "地點" } },
    ],
  },
  "subsidy-agreement": {
    numberLabel: { en: "Agreement number", zhHK: "協議編號" },
    party: {
      field: "beneficiary",
      label: { en: "Beneficiary", zhHK: "受資助機構" },
      idLabel: { en: "Registration number", zhHK: "登記號碼" },
      idField: "registrationNumber",
    },
    subject: [
      { field: "scheme", label: { en: "Funding scheme", zhHK: "資助計劃" } },
      { field: "amount", label: { en: "Approved amount", zhHK: "核准資助額" }, format: formatAmount },
      { field: "subsidyRatePercent", label: { en: "Subsidy rate", zhHK: "資助比率" }, format: (value) => `${String(value)}%` },
      { field: "approvingBody", label: { en: "Approved by", zhHK: "審批機構" } },
    ],
  },
  certificate: {
    numberLabel: { en: "Certificate number", zhHK: "證書編號" },
    party: { field: "holder", label: { en: "Holder", zhHK: "持證人" }, idLabel: { en: "Identity document", zhHK: "身份證明文件" }, idField: "idMasked" },
    subject: [
      { field: "certifies", label: { en: "This certifies", zhHK: "茲證明" } },
      { field: "awardingBody", label: { en: "Awarded by", zhHK: "頒授機構" } },
      { field: "level", label: { en: "Level", zhHK: "級別" } },
    ],
  },
};

const LAID_OUT_ELSEWHERE = new Set(["title", "documentNumber", "conditions", "validFrom", "validUntil"]);

function humanise(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Prints a value: bilingual texts on two lines (English, then Chinese), lists one per line, objects as "key: value". */
export function printable(value: JsonValue): string {
  if (value === null) return "";
  if (Array.isArray(value)) return value.map((v) => `• ${printable(v)}`).join("\n");
  if (typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => k === "en" || k === "zh-HK")) return keys.map((k) => printable(value[k] as JsonValue)).join("\n");
    return keys.map((k) => `${humanise(k)}: ${printable(value[k] as JsonValue)}`).join("\n");
  }
  return String(value);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function dateParts(isoDate: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

const englishDate = ([year, month, day]: [number, number, number]) => `${day} ${MONTHS[month - 1]} ${year}`;
const chineseDate = ([year, month, day]: [number, number, number]) => `${year}年${month}月${day}日`;

/** "2026-01-01" → "1 January 2026 · 2026年1月1日". */
export function bilingualDate(isoDate: string): string {
  const parts = dateParts(isoDate);
  return parts ? `${englishDate(parts)} · ${chineseDate(parts)}` : isoDate;
}

/** The validity window on two lines: "1 January 2026 to 31 December 2027" and its Chinese. */
export function bilingualPeriod(from: string, until: string): string {
  const [start, end] = [dateParts(from), dateParts(until)];
  if (!start || !end) return `${from} – ${until}`;
  return `${englishDate(start)} to ${englishDate(end)}\n${chineseDate(start)}至${chineseDate(end)}`;
}

function formatAmount(value: JsonValue): string {
  const amount = value as { currency?: string; value?: string } | null;
  if (!amount || typeof amount.value !== "string") return printable(value);
  const [whole, cents] = amount.value.split(".");
  const grouped = (whole ?? "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount.currency ?? ""} ${grouped}${cents ? `.${cents.padEnd(2, "0")}` : ""}`.trim();
}

function partyRows(data: Data, layout: TypeLayout): Row[] {
  const party = data[layout.party.field] as Record<string, JsonValue> | undefined;
  if (!party || typeof party !== "object") return [];
  const rows: Row[] = [{ label: layout.party.label, value: printable(party.name ?? null) }];
  const id = party[layout.party.idField];
  if (typeof id === "string") rows.push({ label: layout.party.idLabel, value: id });
  return rows;
}

/** The printed facts of `document`, in the order of its type's layout. */
export function pdfFacts(document: EProofDocument): Row[] {
  const data = document.data as Data;
  const layout = LAYOUTS[document.header.type];
  const named = new Set<string>(LAID_OUT_ELSEWHERE);
  const rows: Row[] = [];
  if (typeof data.documentNumber === "string")
    rows.push({ label: layout?.numberLabel ?? { en: "Document number", zhHK: "文件編號" }, value: data.documentNumber });
  if (layout) {
    named.add(layout.party.field);
    rows.push(...partyRows(data, layout));
    for (const each of layout.subject) {
      named.add(each.field);
      const value = data[each.field];
      if (value !== undefined) rows.push({ label: each.label, value: each.format ? each.format(value) : printable(value) });
    }
  }
  for (const [name, value] of Object.entries(data)) {
    if (!named.has(name)) rows.push({ label: { en: humanise(name), zhHK: "" }, value: printable(value) });
  }
  if (typeof data.validFrom === "string" && typeof data.validUntil === "string") {
    rows.push({ label: { en: "Valid", zhHK: "有效期" }, value: bilingualPeriod(data.validFrom, data.validUntil) });
  }
  const conditions = data.conditions;
  if (Array.isArray(conditions) && conditions.length > 0) {
    rows.push({ label: { en: "Conditions", zhHK: "條件" }, value: conditions.map((c, i) => `${i + 1}. ${printable(c)}`).join("\n") });
  }
  const hidden = Object.keys(document.hidden ?? {});
  if (hidden.length > 0) rows.push({ label: { en: "Withheld by the holder", zhHK: "持有人隱藏的資料" }, value: hidden.join(", ") });
  return rows;
}

export async function renderPdfFor(document: EProofDocument, qrPng: Uint8Array, department: Bilingual): Promise<Uint8Array> {
  const type = getDocumentType(document.header.type);
  const title = document.data.title as { en?: string; "zh-HK"?: string } | undefined;
  const typeName = { en: type.title.en.toLowerCase(), zhHK: type.title["zh-HK"] };
  return renderDocumentPdf({
    title: { en: title?.en ?? type.title.en, zhHK: title?.["zh-HK"] ?? type.title["zh-HK"] },
    department,
    documentId: document.header.id,
    issuedOn: bilingualDate(document.header.issuedAt),
    facts: pdfFacts(document),
    qrPng,
    qrCaption: {
      en: `To check that this ${typeName.en} is genuine and still valid, scan the QR code with a phone camera, or upload this PDF at the verify page.`,
      zhHK: `如要核實此${typeName.zhHK}是否真確及仍然有效，請用手機相機掃描二維碼，或於核實網頁上載本PDF。`,
    },
    eproofJson: JSON.stringify(document),
  });
}

/** The PDF ports: a document's printable PDF, and the e-Proof file read back out of one. */
export const documentPdfs: PdfRenderer & PdfReader = {
  documentPdf: renderPdfFor,
  extractEProofJson,
};
