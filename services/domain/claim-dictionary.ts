/**
 * The preset deflate dictionary of QR payload format 1: bytes that recur in claims (CBOR headers,
 * field names, type names, department codes, common words and names), so that even the first
 * occurrence of each in a claim costs a 2-3 byte back-reference instead of its full length.
 *
 * FROZEN: every QR code printed with format 1 needs exactly these bytes to be read back. To change the
 * dictionary, add a new format (e.g. "2") with a new dictionary and keep this one for reading.
 *
 * Deflate codes near distances more cheaply, so the likeliest strings are at the END.
 */

/** CBOR text string (major type 3) with its header, as cbor-x writes it. */
function text(value: string): number[] {
  const utf8 = [...Buffer.from(value, "utf8")];
  if (utf8.length < 24) return [0x60 + utf8.length, ...utf8];
  if (utf8.length < 256) return [0x78, utf8.length, ...utf8];
  return [0x79, utf8.length >> 8, utf8.length & 0xff, ...utf8];
}

/** Plain UTF-8 words joined by spaces (no CBOR header: they occur inside longer strings). */
function words(list: string[]): number[] {
  return [...Buffer.from(`${list.join(" ")} `, "utf8")];
}

/** cbor-x's default map header (0xb9 + 16-bit length), and the short form other encoders use. */
const map = (entries: number): number[] => [0xb9, 0x00, entries];
const shortMap = (entries: number): number[] => [0xa0 + entries];

/** Generic, not the example's values: an ISO date's "202", a masked id's "***(". */
function licenceFacts(header: (entries: number) => number[]): number[] {
  const date = [0x6a, ...Buffer.from("202", "utf8")];
  return [
    ...header(4),
    ...text("documentNumber"),
    ...text("holder"),
    ...header(2),
    ...text("name"),
    ...header(2),
    ...text("en"),
    ...text("zh-HK"),
    ...text("idMasked"),
    0x6a,
    ...Buffer.from("***(", "utf8"),
    ...text("validFrom"),
    ...date,
    ...text("validUntil"),
    ...date,
  ];
}

const parts: number[][] = [
  // Rarer: Hong Kong place and building words, other document words.
  words([
    "New Territories",
    "Hong Kong Island",
    "Tsuen Wan",
    "Kwun Tong",
    "Sha Tin",
    "Tuen Mun",
    "Yuen Long",
    "Mong Kok",
    "Wan Chai",
    "Central",
    "Causeway Bay",
    "Tsim Sha Tsui",
    "Kwai Chung",
    "Kowloon Bay",
    "Industrial Building",
    "Commercial Building",
    "Centre",
    "Estate",
    "House",
    "Tower",
    "Road",
    "Street",
    "Flat",
    "Shop",
    "Unit",
    "Floor",
    "G/F",
    "Limited",
    "Company",
    "Co. Ltd",
    "Restaurant",
    "Food Factory",
    "Registration",
    "Certificate",
    "Agreement",
    "Subsidy",
    "Scheme",
    "Permit",
    "Licence",
  ]),
  words([
    "新界",
    "香港",
    "九龍",
    "荃灣",
    "觀塘",
    "沙田",
    "屯門",
    "元朗",
    "旺角",
    "灣仔",
    "中環",
    "銅鑼灣",
    "尖沙咀",
    "葵涌",
    "九龍灣",
    "工業大廈",
    "商業大廈",
    "中心",
    "大廈",
    "屋邨",
    "道",
    "街",
    "號",
    "樓",
    "室",
    "地下",
    "舖",
    "有限公司",
    "公司",
    "餐廳",
    "食物製造廠",
    "登記",
    "證明書",
    "證書",
    "協議",
    "資助",
    "計劃",
    "許可證",
    "牌照",
  ]),
  // Common surnames and given-name syllables (English upper case, as on HK ID cards, and Chinese).
  words([
    "CHAN",
    "WONG",
    "LEE",
    "CHEUNG",
    "LAU",
    "HO",
    "LAM",
    "NG",
    "TSANG",
    "LEUNG",
    "YEUNG",
    "CHOW",
    "TAM",
    "CHENG",
    "TANG",
    "FUNG",
    "MAK",
    "KWOK",
    "LO",
    "LI",
    "Tai",
    "Man",
    "Siu",
    "Ming",
    "Wai",
    "Kin",
    "Ka",
    "Chi",
    "Wing",
    "Yuk",
    "Mei",
    "Ling",
    "Hung",
    "Kwok",
    "Fai",
    "Keung",
    "Ying",
  ]),
  words(["陳", "黃", "王", "李", "張", "劉", "何", "林", "吳", "曾", "梁", "楊", "周", "譚", "鄭", "鄧", "馮", "麥", "郭", "盧"]),
  // Department codes (the issuer field) and document types.
  [
    ...text("FEHD"),
    ...text("TD"),
    ...text("IMMD"),
    ...text("BD"),
    ...text("LD"),
    ...text("EPD"),
    ...text("CR"),
    ...text("IRD"),
    ...text("EMSD"),
    ...text("FSD"),
    ...text("DH"),
    ...text("SWD"),
    ...text("AFCD"),
    ...text("LCSD"),
    ...text("HAD"),
    ...text("OFCA"),
    ...text("LANDSD"),
    ...text("EDB"),
    ...text("HKPF"),
    ...text("CSD"),
    ...text("MD"),
    ...text("CAD"),
    ...text("TID"),
    ...text("IPD"),
  ],
  [...text("certificate"), ...text("subsidy-agreement"), ...text("permit")],
  // Field names of the other built-in types.
  [
    ...text("beneficiary"),
    ...text("amount"),
    ...text("currency"),
    ...text("HKD"),
    ...text("rate"),
    ...text("period"),
    ...text("approvedBy"),
    ...text("recipient"),
    ...text("award"),
    ...text("subject"),
    ...text("vehicle"),
    ...text("registrationMark"),
    ...text("category"),
    ...text("class"),
    ...text("address"),
    ...text("company"),
    ...text("businessName"),
    ...text("issuedTo"),
    ...text("title"),
    ...map(2),
    ...text("en"),
    ...text("premises"),
    ...text("conditions"),
  ],
  // The claim header: [1, tag64(id16), "licence", 1, "DEMO", uint32 issuedAt, tag64(hash32), facts].
  [0x88, 0x01, 0xd8, 0x40, 0x50],
  [...text("licence"), 0x01, ...text("DEMO"), 0x1a],
  [0xd8, 0x40, 0x58, 0x20],
  // A licence's facts in schema order, with the short map headers and with cbor-x's default ones.
  licenceFacts(shortMap),
  licenceFacts(map),
];

export const CLAIM_DICTIONARY_V1: Uint8Array = Uint8Array.from(parts.flat());
