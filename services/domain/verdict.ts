/**
 * The verdict: separate typed checks, each VALID / INVALID / SKIPPED / ERROR with a reason, and
 * the overall verdict naming the first failure (docs/design.md, "Verdict"). Each check is a small
 * pure function of plain data.
 */
import type { VerificationRecord } from "./verification-record.ts";

export type CheckName = "integrity" | "signature" | "issuerAuthorised" | "anchored" | "status" | "validityWindow";
export type CheckStatus = "VALID" | "INVALID" | "SKIPPED" | "ERROR";

export interface Check {
  name: CheckName;
  status: CheckStatus;
  reason: string;
  /** For INVALID checks, what exactly failed (decides the verdict). */
  code?: string;
}

export type Verdict =
  | "VALID"
  | "TAMPERED"
  | "REVOKED"
  | "SUSPENDED"
  | "SUPERSEDED"
  | "EXPIRED"
  | "NOT_YET_VALID"
  | "UNKNOWN_ISSUER"
  | "NOT_ANCHORED"
  | "PENDING"
  | "UNAVAILABLE";

export const CHECK_ORDER: readonly CheckName[] = ["integrity", "signature", "issuerAuthorised", "anchored", "status", "validityWindow"];

export const valid = (name: CheckName, reason: string): Check => ({ name, status: "VALID", reason });
export const invalid = (name: CheckName, code: string, reason: string): Check => ({ name, status: "INVALID", reason, code });
export const skipped = (name: CheckName, reason: string): Check => ({ name, status: "SKIPPED", reason });
export const errored = (name: CheckName, reason: string): Check => ({ name, status: "ERROR", reason });

function verdictOf(check: Check): Verdict {
  if (check.status === "ERROR") return "UNAVAILABLE";
  switch (check.name) {
    case "integrity":
      return "TAMPERED";
    case "signature":
      return check.code === "KEY_NOT_VALID" ? "UNKNOWN_ISSUER" : "TAMPERED";
    case "issuerAuthorised":
      return "UNKNOWN_ISSUER";
    case "anchored":
      return check.code === "PENDING" ? "PENDING" : "NOT_ANCHORED";
    case "status":
      return check.code === "SUSPENDED" ? "SUSPENDED" : check.code === "SUPERSEDED" ? "SUPERSEDED" : "REVOKED";
    case "validityWindow":
      return check.code === "NOT_YET_VALID" ? "NOT_YET_VALID" : "EXPIRED";
  }
}

/** The first check (in CHECK_ORDER) that is INVALID or ERROR decides; all VALID or SKIPPED is VALID. */
export function overallVerdict(checks: Check[]): Verdict {
  for (const name of CHECK_ORDER) {
    const check = checks.find((c) => c.name === name);
    if (check && (check.status === "INVALID" || check.status === "ERROR")) return verdictOf(check);
  }
  return checks.some((c) => c.status === "VALID") ? "VALID" : "NOT_ANCHORED";
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Signature as of issuance: the key must be registered for the department and valid at the batch's block time. */
export function checkKeyWindow(record: VerificationRecord, kid: string): Check {
  const at = record.batch.anchoredAt;
  const key = record.key;
  if (!key.registered) return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} is not registered on chain for ${record.batch.department}`);
  if (at < key.validFrom) return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} was not yet valid when the batch was anchored (${iso(at)})`);
  if (key.validUntil !== 0 && at >= key.validUntil)
    return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} had been retired (${iso(key.validUntil)}) before the batch was anchored (${iso(at)})`);
  if (key.compromisedAt !== 0 && at >= key.compromisedAt) {
    return invalid(
      "signature",
      "KEY_NOT_VALID",
      `signing key ${kid} was reported compromised as of ${iso(key.compromisedAt)}, before the batch was anchored (${iso(at)})`,
    );
  }
  return valid("signature", `signed with ${kid}, valid for ${record.batch.department} when the batch was anchored (${iso(at)})`);
}

export function checkIssuerAuthorised(record: VerificationRecord, issuer: string, type: string): Check {
  const at = record.batch.anchoredAt;
  if (record.batch.department !== issuer) {
    return invalid(
      "issuerAuthorised",
      "WRONG_DEPARTMENT",
      `the batch was anchored for ${record.batch.department || "nobody"}, not for the document's issuer ${issuer}`,
    );
  }
  if (record.batch.docType !== type)
    return invalid("issuerAuthorised", "WRONG_TYPE", `the batch was anchored for ${record.batch.docType} documents, not ${type}`);
  if (!record.department.registered) return invalid("issuerAuthorised", "UNKNOWN_DEPARTMENT", `${issuer} is not a registered department`);
  const grant = record.typeGrant;
  if (grant.grantedAt === 0 || at < grant.grantedAt || (grant.withdrawnAt !== 0 && at >= grant.withdrawnAt)) {
    return invalid("issuerAuthorised", "TYPE_NOT_GRANTED", `${issuer} was not authorised to issue ${type} documents when the batch was anchored`);
  }
  return valid("issuerAuthorised", `${issuer} was authorised to issue ${type} documents at issuance`);
}

export function checkStatus(record: VerificationRecord): Check {
  const doc = record.document;
  const when = doc.changedAt ? ` on ${iso(doc.changedAt)}` : "";
  if (doc.status === "REVOKED") return invalid("status", "REVOKED", `revoked${when} (reason code ${doc.reasonCode})`);
  if (doc.status === "SUPERSEDED") return invalid("status", "SUPERSEDED", `replaced by a newer document${doc.successor ? ` (${doc.successor})` : ""}${when}`);
  if (record.batch.status === "REVOKED") return invalid("status", "REVOKED", `its whole batch was revoked (reason code ${record.batch.reasonCode})`);
  if (doc.status === "SUSPENDED") return invalid("status", "SUSPENDED", `suspended${when} (reason code ${doc.reasonCode})`);
  if (record.batch.status === "SUSPENDED") return invalid("status", "SUSPENDED", `its whole batch is suspended (reason code ${record.batch.reasonCode})`);
  return valid("status", "not revoked, suspended or superseded");
}

/** Hong Kong calendar dates: valid from the start of validFrom to the end of validUntil (UTC+8). */
export function checkValidityWindow(validFrom: unknown, validUntil: unknown, nowMs: number): Check {
  if (typeof validFrom !== "string" || typeof validUntil !== "string") return skipped("validityWindow", "the document states no validity period");
  const today = new Date(nowMs + 8 * 3600 * 1000).toISOString().slice(0, 10);
  if (today < validFrom) return invalid("validityWindow", "NOT_YET_VALID", `not valid until ${validFrom}`);
  if (today > validUntil) return invalid("validityWindow", "EXPIRED", `expired on ${validUntil}`);
  return valid("validityWindow", `valid from ${validFrom} to ${validUntil}`);
}
