/**
 * The typical licence of MISSION.md as a signed claim would carry it, built here with cbor-x the way
 * design.md describes the claim (so these tests do not wait for services/domain):
 * `[1, id(16), type, typeVersion, issuer, issuedAt, documentHash(32), facts]`.
 */
import { randomBytes } from "node:crypto";
import { encode } from "cbor-x";
import { LICENCE_EXAMPLE } from "../../../services/domain/document-examples.ts";

/** The licence example of `eproof template licence`. */
export const TYPICAL_LICENCE_DATA = LICENCE_EXAMPLE;

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
