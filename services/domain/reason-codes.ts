/**
 * Reason codes recorded on chain with a status change. The free-text reason an officer gives stays
 * off chain (it may name a person); the chain carries only the code.
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
} as const;

export type ReasonCode = keyof typeof REASON_CODES;

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === "number" && Object.hasOwn(REASON_CODES, value);
}
