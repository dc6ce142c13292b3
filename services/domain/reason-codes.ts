/**
 * Reason codes an officer gives with a status change. Neither the code nor the free text goes on
 * chain (a reason such as "fraud" next to a document id printed on a person's licence is personal
 * data): both stay in the department's store, shown to officers in the history. The public verify
 * answer names a code only if the department marked it publishable; by default none is.
 */
export const REASON_CODES = {
  0: { en: "unspecified", "zh-HK": "未註明" },
  1: { en: "issued in error", "zh-HK": "錯誤簽發" },
  2: { en: "at the holder's request", "zh-HK": "應持有人要求" },
  3: { en: "conditions breached", "zh-HK": "違反條件" },
  4: { en: "fraud or misrepresentation", "zh-HK": "欺詐或失實陳述" },
  5: { en: "replaced by a corrected or renewed document", "zh-HK": "已由更正或續期的文件取代" },
  6: { en: "decision of the issuing department", "zh-HK": "簽發部門決定" },
  7: { en: "signing key compromised", "zh-HK": "簽署密鑰外洩" },
  8: { en: "surrendered by the holder", "zh-HK": "持有人交回" },
} as const;

export type ReasonCode = keyof typeof REASON_CODES;

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === "number" && Object.hasOwn(REASON_CODES, value);
}
