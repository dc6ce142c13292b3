/**
 * Turns an e-Proof file into the PDF renderer's input: one layout per document type, with bilingual
 * labels, Hong Kong dates written out in English and Chinese, and conditions numbered. A field a
 * layout does not name (a later type version, say) is still printed, after the named ones, so
 * nothing is dropped. `documentPdfs(publicUrl)` is the adapter behind the PdfRenderer and PdfReader
 * ports; the QR image comes in rendered (adapters/qr, through the QrRenderer port), so this folder
 * never imports another kind.
 *
 * One term per thing, in both languages: the 32-character id is the "e-Proof ID / e-Proof 識別碼"
 * (document-pdf.ts prints it), the number the department gives is the type's own number ("Licence
 * number / 牌照號碼", …; "Document number / 文件編號" for a type without a layout), and a withheld
 * field is named by the label it would have been printed with.
 */
import { getDocumentType } from "../../domain/document-types.ts";
import { chineseHongKongDate, englishHongKongDate } from "../../domain/hong-kong-date.ts";
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

/** A date as people read it, or the value as it stands when it is not one (a later type version's field, say). */
function written(at: string, format: (at: string) => string): string | null {
  try {
    return format(at);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** The Hong Kong date of an instant or calendar date: "2026-12-01T20:15:00Z" → "2 December 2026 · 2026年12月2日". */
export function bilingualDate(at: string): string {
  const [en, zh] = [written(at, englishHongKongDate), written(at, chineseHongKongDate)];
  return en && zh ? `${en} · ${zh}` : at;
}

/** The validity window on two lines: "1 January 2026 to 31 December 2027" and its Chinese. */
export function bilingualPeriod(from: string, until: string): string {
  const [fromEn, untilEn] = [written(from, englishHongKongDate), written(until, englishHongKongDate)];
  const [fromZh, untilZh] = [written(from, chineseHongKongDate), written(until, chineseHongKongDate)];
  if (!fromEn || !untilEn || !fromZh || !untilZh) return `${from} – ${until}`;
  return `${fromEn} to ${untilEn}\n${fromZh}至${untilZh}`;
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

/** The labels of the fields laid out by the same rule for every type. */
const COMMON_LABELS: Record<string, Bilingual> = {
  documentNumber: { en: "Document number", zhHK: "文件編號" },
  title: { en: "Title", zhHK: "名稱" },
  conditions: { en: "Conditions", zhHK: "條件" },
  validFrom: { en: "Valid from", zhHK: "生效日期" },
  validUntil: { en: "Valid until", zhHK: "屆滿日期" },
};

/** The label field `name` is printed with, so that a withheld field is named as it would have been shown. */
function labelOf(name: string, layout: TypeLayout | undefined): Bilingual {
  if (layout) {
    if (name === "documentNumber") return layout.numberLabel;
    if (name === layout.party.field) return layout.party.label;
    const subject = layout.subject.find((each) => each.field === name);
    if (subject) return subject.label;
  }
  return COMMON_LABELS[name] ?? { en: humanise(name), zhHK: "" };
}

/** The printed facts of `document`, in the order of its type's layout. */
export function pdfFacts(document: EProofDocument): Row[] {
  const data = document.data as Data;
  const layout = LAYOUTS[document.header.type];
  const named = new Set<string>(LAID_OUT_ELSEWHERE);
  const rows: Row[] = [];
  if (typeof data.documentNumber === "string") rows.push({ label: labelOf("documentNumber", layout), value: data.documentNumber });
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
    if (!named.has(name)) rows.push({ label: labelOf(name, layout), value: printable(value) });
  }
  if (typeof data.validFrom === "string" && typeof data.validUntil === "string") {
    rows.push({ label: { en: "Valid", zhHK: "有效期" }, value: bilingualPeriod(data.validFrom, data.validUntil) });
  }
  const conditions = data.conditions;
  if (Array.isArray(conditions) && conditions.length > 0) {
    rows.push({ label: labelOf("conditions", layout), value: conditions.map((c, i) => `${i + 1}. ${printable(c)}`).join("\n") });
  }
  const hidden = Object.keys(document.hidden ?? {});
  if (hidden.length > 0) {
    const names = hidden.map((name) => labelOf(name, layout)).map((label) => [label.en, label.zhHK].filter(Boolean).join(" "));
    rows.push({ label: { en: "Withheld by the holder", zhHK: "持有人隱藏的資料" }, value: names.join("\n") });
  }
  return rows;
}

/** The verify page's address as people type it (the QR carries it upper-cased, for a smaller code). */
export function verifyAddressOf(publicUrl: string): string {
  return `${publicUrl.trim().replace(/\/+$/, "")}/verify`;
}

/** The PDF of `document`, its caption naming `verifyAddress` as the place to upload it. */
export async function renderPdfFor(document: EProofDocument, qrPng: Uint8Array, department: Bilingual, verifyAddress: string): Promise<Uint8Array> {
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
      en: `To check that this ${typeName.en} is genuine and still valid, scan the QR code with a phone camera, or upload this PDF at`,
      zhHK: `如要核實此${typeName.zhHK}是否真確及仍然有效，請用手機相機掃描二維碼，或於以下網址上載本PDF：`,
    },
    verifyAddress,
    eproofJson: JSON.stringify(document),
  });
}

/** The PDF ports for the service at `publicUrl`: a document's printable PDF, and the e-Proof file read back out of one. */
export function documentPdfs(publicUrl: string): PdfRenderer & PdfReader {
  const verifyAddress = verifyAddressOf(publicUrl);
  return {
    documentPdf: (document, qrPng, department) => renderPdfFor(document, qrPng, department, verifyAddress),
    extractEProofJson,
  };
}
