/**
 * The verdict: separate typed checks, each VALID / INVALID / SKIPPED / ERROR with a reason, and
 * the overall verdict naming the first failure (docs/design.md, "Verdict"). The checks themselves
 * are small pure functions in checks.ts.
 */

export type CheckName = "integrity" | "signature" | "issuerAuthorised" | "anchored" | "status" | "validityWindow";
export type CheckStatus = "VALID" | "INVALID" | "SKIPPED" | "ERROR";

export interface Check {
  name: CheckName;
  status: CheckStatus;
  reason: string;
  /** For INVALID checks, what exactly failed (decides the verdict). */
  code?: string;
}

/** Every verdict a verification can end in (MISSION.md); the API, the page and the CLI use these words. */
export const VERDICTS = [
  "VALID",
  "TAMPERED",
  "REVOKED",
  "SUSPENDED",
  "SUPERSEDED",
  "EXPIRED",
  "NOT_YET_VALID",
  "UNKNOWN_ISSUER",
  "NOT_ANCHORED",
  "PENDING",
  "UNAVAILABLE",
] as const;

export type Verdict = (typeof VERDICTS)[number];

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
