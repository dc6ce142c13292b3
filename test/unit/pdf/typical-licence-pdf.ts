/** The typical licence of MISSION.md as renderDocumentPdf input, with a real QR code. */
import { randomBytes } from "node:crypto";
import type { DocumentPdfInput } from "../../../services/adapters/pdf/document-pdf.ts";
import { renderQrPng } from "../../../services/adapters/qr/qr-code.ts";
import { encodeQrFragment, qrUrl } from "../../../services/domain/qr-payload.ts";
import { BASE_URL, randomSignature, TYPICAL_LICENCE_DATA, typicalClaimBytes } from "../qr/typical-licence.ts";

export async function typicalLicencePdfInput(): Promise<{ input: DocumentPdfInput; url: string }> {
  const d = TYPICAL_LICENCE_DATA;
  const url = qrUrl(BASE_URL, encodeQrFragment({ keyNumber: 1, claimBytes: typicalClaimBytes(), signature: randomSignature() }));
  const documentId = randomBytes(16).toString("hex");
  const eproofJson = JSON.stringify({
    eproof: 1,
    header: { id: documentId, type: "licence", typeVersion: 1, issuer: "DEMO", issuedAt: "2026-11-22T10:00:00Z" },
    data: d,
    salts: Object.fromEntries(Object.keys(d).map((name) => [name, randomBytes(16).toString("hex")])),
    signature: { jws: "eyJhbGciOiJFUzI1NiIsImtpZCI6IkRFTU8tMSJ9.x.y", jwk: { kty: "EC", crv: "P-256", x: "x", y: "y" } },
  });
  const input: DocumentPdfInput = {
    title: { en: d.title.en, zhHK: d.title["zh-HK"] },
    department: { en: "Food and Environmental Hygiene Department (demo)", zhHK: "食物環境衞生署（示範）" },
    documentId,
    facts: [
      { label: { en: "Licence number", zhHK: "牌照號碼" }, value: d.documentNumber },
      { label: { en: "Holder", zhHK: "持牌人" }, value: `${d.holder.name.en}  ${d.holder.name["zh-HK"]}` },
      { label: { en: "Identity document", zhHK: "身份證明文件" }, value: d.holder.idMasked },
      { label: { en: "Premises", zhHK: "處所" }, value: `${d.premises.en}\n${d.premises["zh-HK"]}` },
      { label: { en: "Conditions", zhHK: "條件" }, value: d.conditions.map((c, i) => `${i + 1}. ${c}`).join("\n") },
      { label: { en: "Valid from", zhHK: "有效期由" }, value: d.validFrom },
      { label: { en: "Valid until", zhHK: "有效期至" }, value: d.validUntil },
    ],
    qrPng: await renderQrPng(url),
    qrCaption: {
      en: "To check that this licence is genuine and still valid, scan the QR code with a phone camera, or upload this PDF at",
      zhHK: "如要核實此牌照是否真確及仍然有效，請用手機相機掃描二維碼，或於以下網址上載本PDF：",
    },
    verifyAddress: `${BASE_URL}/verify`,
    eproofJson,
  };
  return { input, url };
}
