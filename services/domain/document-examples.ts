/**
 * One example document per built-in type, with every optional field filled in: what
 * `eproof template <type>` prints, and what the issuance threads build and sign once at start with a
 * throwaway key, so that the first real request finds their code compiled. They live here (not read
 * from docs/examples at run time) because the CLI and the service also run from the service image,
 * which has no docs/. A unit test issues each of them through the type's validation and fails when a
 * type has no example.
 */

/** The licence example: also the typical licence of the QR and PDF tests, which read its fields by name. */
export const LICENCE_EXAMPLE = {
  documentNumber: "FFL-2026-004217",
  title: { en: "Food Factory Licence", "zh-HK": "食物製造廠牌照" },
  holder: { name: { en: "CHAN Tai Man", "zh-HK": "陳大文" }, idMasked: "A123***(4)" },
  premises: {
    en: "Flat B, 12/F, Wing Fat Industrial Building, 12 Wang Tai Road, Kowloon Bay",
    "zh-HK": "九龍灣宏泰道12號榮發工業大廈12樓B室",
  },
  conditions: ["Maximum 20 workers on the premises", "Display this licence at the entrance"],
  validFrom: "2026-01-01",
  validUntil: "2027-12-31",
};

export const DOCUMENT_EXAMPLES: Readonly<Record<string, Record<string, unknown>>> = {
  licence: LICENCE_EXAMPLE,
  permit: {
    documentNumber: "TEMP-2026-000318",
    title: { en: "Temporary Place of Public Entertainment Licence", "zh-HK": "臨時公眾娛樂場所牌照" },
    holder: { name: { en: "LEE Siu Ming", "zh-HK": "李小明" }, idMasked: "K765***(2)" },
    activity: { en: "Outdoor music performances for up to 800 persons", "zh-HK": "容納最多800人的戶外音樂表演活動" },
    location: { en: "Central Harbourfront Event Space, 9 Lung Wo Road, Central", "zh-HK": "中環龍和道9號中環海濱活動空間" },
    conditions: ["Performance to end by 22:00", "Crowd control officers at every exit"],
    validFrom: "2026-11-01",
    validUntil: "2028-10-31",
  },
  "subsidy-agreement": {
    documentNumber: "BUD-2026-E-01877",
    title: {
      en: "Dedicated Fund on Branding, Upgrading and Domestic Sales — Funding Agreement",
      "zh-HK": "發展品牌、升級轉型及拓展內銷市場的專項基金資助協議",
    },
    beneficiary: { name: { en: "Wing Fat Food Products Limited", "zh-HK": "榮發食品有限公司" }, registrationNumber: "31234567" },
    scheme: { en: "BUD Fund — Enterprise Support Programme", "zh-HK": "BUD專項基金 — 企業支援計劃" },
    amount: { currency: "HKD", value: "1500000.00" },
    subsidyRatePercent: 50,
    approvingBody: { en: "Programme Management Committee", "zh-HK": "計劃管理委員會" },
    conditions: ["Project to be completed within 24 months", "Audited accounts within 4 months of completion"],
    validFrom: "2026-07-01",
    validUntil: "2028-06-30",
  },
  certificate: {
    documentNumber: "QF-2026-L4-55310",
    title: { en: "Certificate of Competence", "zh-HK": "能力證書" },
    holder: { name: { en: "WONG Ka Yan", "zh-HK": "黃家欣" }, idMasked: "Y512***(7)" },
    certifies: {
      en: "Food Hygiene Manager — competent to supervise food hygiene in licensed food premises",
      "zh-HK": "衞生經理 — 具備督導持牌食物業處所食物衞生的能力",
    },
    awardingBody: { en: "Food and Environmental Hygiene Department", "zh-HK": "食物環境衞生署" },
    level: "QF Level 4",
    validFrom: "2026-03-15",
    validUntil: "2031-03-14",
  },
};
