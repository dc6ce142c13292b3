import { describe, expect, it } from "vitest";
import { checkAnchored } from "../../../services/domain/checks.ts";
import {
  currentRegistrySince,
  parseTrustList,
  publishedRegistries,
  registryAt,
  trustedRegistryOf,
  trustListOf,
  withinPeriod,
} from "../../../services/domain/trust-list.ts";
import type { Hex } from "../../../services/domain/types.ts";
import type { VerificationRecord } from "../../../services/domain/verification-record.ts";

const OLD = `0x${"aa".repeat(20)}` as Hex;
const NEW = `0x${"bb".repeat(20)}` as Hex;
const ISSUERS = `0x${"cc".repeat(20)}` as Hex;
const SWITCH = "2026-12-01T00:00:00.000Z";
const switchSeconds = Date.parse(SWITCH) / 1000;
const moved = trustListOf(852, NEW, ISSUERS, [{ registry: OLD, issuerRegistry: ISSUERS, from: null, until: SWITCH }]);

function anchoredAt(seconds: number): VerificationRecord {
  return {
    batch: { anchored: true, department: "DEMO", docType: "licence", count: 1, blockNumber: 5, anchoredAt: seconds, status: "ACTIVE" },
    document: { status: "ACTIVE", changedAt: 0, successor: null },
    department: { registered: true, suspended: false },
    typeGrant: { grantedAt: 1, withdrawnAt: 0 },
    key: { registered: true, validFrom: 1, validUntil: 0, compromisedAt: 0, registeredBlock: 1 },
  };
}

const anchorIn = (registry: Hex) => ({
  chainId: 852,
  registry,
  root: `0x${"11".repeat(32)}` as Hex,
  proof: [],
  txHash: `0x${"22".repeat(32)}` as Hex,
  blockNumber: 5,
});

describe("trust list of registries", () => {
  it("starts the current registry's period where the earlier one's ended", () => {
    expect(moved.registries).toEqual([
      { registry: OLD, issuerRegistry: ISSUERS, from: null, until: SWITCH },
      { registry: NEW, issuerRegistry: ISSUERS, from: SWITCH, until: null },
    ]);
    expect(currentRegistrySince(moved)).toBe(switchSeconds);
    expect(currentRegistrySince({ chainId: 852, registry: NEW })).toBe(0);
  });

  it("names the registry that was current at a block time", () => {
    expect(registryAt(moved, switchSeconds - 1)).toBe(OLD);
    expect(registryAt(moved, switchSeconds)).toBe(NEW);
    expect(withinPeriod({ registry: OLD, from: null, until: SWITCH }, switchSeconds)).toBe(false);
  });

  it("finds a registry in any letter case, and only a listed one", () => {
    expect(trustedRegistryOf(moved, OLD.toUpperCase().replace("0X", "0x"))?.until).toBe(SWITCH);
    expect(trustedRegistryOf(moved, `0x${"dd".repeat(20)}`)).toBeNull();
    expect(trustedRegistryOf({ chainId: 852, registry: NEW }, NEW)).toEqual({ registry: NEW, from: null, until: null });
  });

  it("keeps a document anchored in the earlier registry during its period VALID, and one anchored there after it not", () => {
    const before = checkAnchored({ anchor: anchorIn(OLD), trust: moved, answer: anchoredAt(switchSeconds - 60), pending: false });
    expect(before.status).toBe("VALID");
    const after = checkAnchored({ anchor: anchorIn(OLD), trust: moved, answer: anchoredAt(switchSeconds + 60), pending: false });
    expect(after).toMatchObject({ status: "INVALID", code: "OUTSIDE_TRUST_PERIOD" });
    const unlisted = checkAnchored({ anchor: anchorIn(`0x${"dd".repeat(20)}`), trust: moved, answer: null, pending: false });
    expect(unlisted).toMatchObject({ status: "INVALID", code: "WRONG_LEDGER" });
  });

  it("reads back what /.well-known/eproof.json publishes", () => {
    const published = { chainId: 852, registry: NEW, registries: publishedRegistries(moved) };
    expect(published.registries[0]).toEqual({ chainId: 852, registry: OLD, issuerRegistry: ISSUERS, from: null, until: SWITCH });
    expect(parseTrustList(JSON.parse(JSON.stringify(published)))).toEqual(moved);
    expect(parseTrustList({ chainId: 852, registry: NEW.toUpperCase().replace("0X", "0x") })).toEqual({ chainId: 852, registry: NEW });
  });

  it("refuses a trust list that is malformed, mixes chains or leaves out its current registry", () => {
    expect(() => parseTrustList([])).toThrow(/JSON object/);
    expect(() => parseTrustList({ chainId: 852 })).toThrow(/registry/);
    expect(() => parseTrustList({ chainId: 852, registry: NEW, registries: [{ chainId: 1, registry: NEW }] })).toThrow(/chain 1/);
    expect(() => parseTrustList({ chainId: 852, registry: NEW, registries: [{ registry: OLD, until: SWITCH }] })).toThrow(/current registry/);
    expect(() => parseTrustList({ chainId: 852, registry: NEW, registries: [{ registry: NEW, from: "yesterday" }] })).toThrow(/ISO 8601/);
    expect(() => parseTrustList({ chainId: 852, registry: NEW, registries: [{ registry: NEW, from: SWITCH, until: SWITCH }] })).toThrow(/before/);
  });
});
