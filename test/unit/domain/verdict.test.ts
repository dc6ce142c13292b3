import { describe, expect, it } from "vitest";
import { checkValidityWindow } from "../../../services/domain/checks.ts";
import { type Check, errored, invalid, overallVerdict, skipped, valid } from "../../../services/domain/verdict.ts";

const allValid = (): Check[] => [
  valid("integrity", "ok"),
  valid("signature", "ok"),
  valid("issuerAuthorised", "ok"),
  valid("anchored", "ok"),
  valid("status", "ok"),
  valid("validityWindow", "ok"),
];

describe("the overall verdict", () => {
  it("is VALID when every check is VALID or SKIPPED", () => {
    expect(overallVerdict(allValid())).toBe("VALID");
    expect(overallVerdict([...allValid().slice(0, 5), skipped("validityWindow", "no period")])).toBe("VALID");
  });

  it("names the first failure in check order, whatever the order of the list", () => {
    const checks = [invalid("validityWindow", "EXPIRED", "x"), invalid("status", "REVOKED", "x"), valid("integrity", "ok")];
    expect(overallVerdict(checks)).toBe("REVOKED");
    expect(overallVerdict([...checks].reverse())).toBe("REVOKED");
  });

  it("maps each failing check and code to its verdict", () => {
    const cases: [Check, string][] = [
      [invalid("integrity", "HASH", "x"), "TAMPERED"],
      [invalid("signature", "BAD_SIGNATURE", "x"), "TAMPERED"],
      [invalid("signature", "KEY_NOT_VALID", "x"), "UNKNOWN_ISSUER"],
      [invalid("issuerAuthorised", "TYPE_NOT_GRANTED", "x"), "UNKNOWN_ISSUER"],
      [invalid("anchored", "NOT_ANCHORED", "x"), "NOT_ANCHORED"],
      [invalid("anchored", "WRONG_LEDGER", "x"), "NOT_ANCHORED"],
      [invalid("anchored", "PENDING", "x"), "PENDING"],
      [invalid("status", "REVOKED", "x"), "REVOKED"],
      [invalid("status", "SUSPENDED", "x"), "SUSPENDED"],
      [invalid("status", "SUPERSEDED", "x"), "SUPERSEDED"],
      [invalid("validityWindow", "EXPIRED", "x"), "EXPIRED"],
      [invalid("validityWindow", "NOT_YET_VALID", "x"), "NOT_YET_VALID"],
      [errored("signature", "chain down"), "UNAVAILABLE"],
    ];
    for (const [failing, verdict] of cases) {
      const checks = allValid().map((c) => (c.name === failing.name ? failing : c));
      expect(overallVerdict(checks), `${failing.name} ${failing.code ?? failing.status}`).toBe(verdict);
    }
  });

  it("lets a chain-free failure outweigh a chain error", () => {
    expect(overallVerdict([invalid("integrity", "HASH", "x"), errored("signature", "down"), errored("anchored", "down")])).toBe("TAMPERED");
  });

  it("is NOT_ANCHORED, not VALID, when nothing was checked at all", () => {
    expect(overallVerdict([skipped("integrity", "x"), skipped("anchored", "x")])).toBe("NOT_ANCHORED");
  });
});

describe("the validity window (Hong Kong calendar dates, UTC+8)", () => {
  it("starts at midnight Hong Kong time of validFrom and ends at midnight after validUntil", () => {
    const at = (iso: string) => checkValidityWindow("2026-01-01", "2027-12-31", Date.parse(iso));
    expect(at("2025-12-31T15:59:59Z")).toMatchObject({ status: "INVALID", code: "NOT_YET_VALID" });
    expect(at("2025-12-31T16:00:00Z").status).toBe("VALID");
    expect(at("2027-12-31T15:59:59Z").status).toBe("VALID");
    expect(at("2027-12-31T16:00:00Z")).toMatchObject({ status: "INVALID", code: "EXPIRED" });
  });

  it("is skipped for a document that states no validity period", () => {
    expect(checkValidityWindow(undefined, "2027-12-31", 0).status).toBe("SKIPPED");
    expect(checkValidityWindow("2026-01-01", 42, 0).status).toBe("SKIPPED");
  });
});
