/**
 * What the two credential exports (SD-JWT VC, VC 2.0 VC-JWT) share: the validity window as instants,
 * and the e-Proof parts a verifier rebuilds from either to check it against the anchored document
 * hash (docs/standards.md, "Linking an export to the ledger").
 */
import type { AnchorBlock, DocumentHeader, Hex, JsonValue, PublicJwk } from "./types.ts";

/** Where an export's status is published: list number and index (ports.StatusListEntry without its department). */
export interface StatusPosition {
  list: number;
  index: number;
}

/** What an export is made from and when: a stored, anchored document and the export's own facts. */
export interface ExportInput {
  publicUrl: string;
  /** The export's time (unix seconds): `iat`. */
  issuedAt: number;
  /** The public key that will sign the export (carried in the protected header as `jwk`). */
  jwk: PublicJwk;
  status: StatusPosition | null;
}

const DAY = 86_400;

/** 00:00 Hong Kong time (UTC+8, no daylight saving) of a calendar date, as unix seconds. */
export function hongKongMidnight(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00+08:00`) / 1000);
}

/** The validity window as instants: from 00:00 of validFrom to 24:00 of validUntil, Hong Kong time (checks.ts). */
export function validityInstants(data: Record<string, JsonValue>): { notBefore: number; expires: number } | null {
  const { validFrom, validUntil } = data;
  if (typeof validFrom !== "string" || typeof validUntil !== "string") return null;
  const notBefore = hongKongMidnight(validFrom);
  const expires = hongKongMidnight(validUntil) + DAY;
  return Number.isFinite(notBefore) && Number.isFinite(expires) ? { notBefore, expires } : null;
}

/** The Hong Kong calendar date of an instant (unix seconds). */
export function hongKongCalendarDate(seconds: number): string {
  return new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 10);
}

/**
 * An export as the verifier reads it back: the e-Proof parts (header, disclosed data with their
 * salts, the digests of the fields withheld), the document hash and anchor it claims, and the
 * export's own signature facts. Built by sd-jwt-vc.ts and vc-jwt.ts; judged by export-checks.ts.
 */
export interface PresentedExport {
  format: "sd-jwt-vc" | "vc-jwt";
  header: DocumentHeader;
  data: Record<string, JsonValue>;
  salts: Record<string, string>;
  hidden: Record<string, Hex>;
  /** The document hash the export states (signed by the export). */
  documentHash: string;
  anchor: AnchorBlock | undefined;
  /** The issuer the export names (`iss` / `issuer`). */
  issuerUrl: string;
  /** The export's issuer-signed JWS (without disclosures) and its key id and public key. */
  jws: string;
  kid: string;
  jwk: PublicJwk;
  /** The export's `iat` (unix seconds). */
  exportedAt: number;
  /** The validity window the export states, for when validFrom/validUntil are not disclosed. */
  window: { validFrom: string; validUntil: string } | null;
  /** SD-JWT VC: names of disclosures the issuer did not sign (their digests are not in `_sd`). */
  unsignedDisclosures?: string[];
}
