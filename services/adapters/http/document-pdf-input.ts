/** Turns an e-Proof file into the PDF renderer's input: bilingual labels and printable values. */
import { getDocumentType } from "../../domain/document-types.ts";
import type { EProofDocument, JsonValue } from "../../domain/types.ts";
import { renderDocumentPdf } from "../pdf/document-pdf.ts";
import { renderQrPng } from "../qr/qr-code.ts";

const LABELS: Record<string, { en: string; zhHK: string }> = {
  documentNumber: { en: "Document number", zhHK: "文件編號" },
  holder: { en: "Holder", zhHK: "持有人" },
  beneficiary: { en: "Beneficiary", zhHK: "受惠者" },
  premises: { en: "Premises", zhHK: "處所" },
  location: { en: "Location", zhHK: "地點" },
  conditions: { en: "Conditions", zhHK: "條件" },
  validFrom: { en: "Valid from", zhHK: "有效期由" },
  validUntil: { en: "Valid until", zhHK: "有效期至" },
};

function humanise(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Prints a value: bilingual texts as "English / 中文", lists one per line, objects as "key: value". */
export function printable(value: JsonValue): string {
  if (value === null) return "";
  if (Array.isArray(value)) return value.map((v) => `• ${printable(v)}`).join("\n");
  if (typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => k === "en" || k === "zh-HK")) return keys.map((k) => printable(value[k] as JsonValue)).join(" / ");
    return keys.map((k) => `${humanise(k)}: ${printable(value[k] as JsonValue)}`).join("\n");
  }
  return String(value);
}

export async function renderPdfFor(document: EProofDocument, qrLink: string, department: { en: string; zhHK: string }): Promise<Uint8Array> {
  const type = getDocumentType(document.header.type);
  const title = document.data.title as { en?: string; "zh-HK"?: string } | undefined;
  return renderDocumentPdf({
    title: { en: title?.en ?? type.title.en, zhHK: title?.["zh-HK"] ?? type.title["zh-HK"] },
    department,
    documentId: document.header.id,
    facts: Object.entries(document.data)
      .filter(([name]) => name !== "title")
      .map(([name, value]) => ({ label: LABELS[name] ?? { en: humanise(name), zhHK: "" }, value: printable(value) })),
    qrPng: await renderQrPng(qrLink),
    qrCaption: {
      en: "Scan with a phone camera to verify this document, or upload this PDF at the verify page.",
      zhHK: "用手機相機掃描以核實本文件，或於核實網頁上載本PDF。",
    },
    eproofJson: JSON.stringify(document),
  });
}
