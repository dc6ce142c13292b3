/**
 * The typical licence of MISSION.md as a signed claim would carry it, built here with cbor-x the way
 * design.md describes the claim (so these tests do not wait for services/domain):
 * `[1, id(16), type, typeVersion, issuer, issuedAt, documentHash(32), facts]`.
 */
import { randomBytes } from "node:crypto";
import { encode } from "cbor-x";

export const TYPICAL_LICENCE_DATA = {
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

/** The claim fields of a licence (what the QR carries); `withLongFields` adds title, premises, conditions. */
export function licenceFacts(withLongFields = false): Record<string, unknown> {
  const d = TYPICAL_LICENCE_DATA;
  const facts: Record<string, unknown> = { documentNumber: d.documentNumber };
  if (withLongFields) facts.title = d.title;
  facts.holder = d.holder;
  if (withLongFields) {
    facts.premises = d.premises;
    facts.conditions = d.conditions;
  }
  facts.validFrom = d.validFrom;
  facts.validUntil = d.validUntil;
  return facts;
}

export function typicalClaimBytes(withLongFields = false): Uint8Array {
  const issuedAt = Math.floor(Date.parse("2026-11-22T10:00:00Z") / 1000);
  return Uint8Array.from(encode([1, randomBytes(16), "licence", 1, "DEMO", issuedAt, randomBytes(32), licenceFacts(withLongFields)]));
}

export function randomSignature(): Uint8Array {
  return Uint8Array.from(randomBytes(64));
}

export const BASE_URL = "http://localhost:8080";
