import { encodeBytes32String, Interface } from "ethers";
import { describe, expect, it } from "vitest";
import { loadArtifact } from "../../../services/adapters/chain/contract-artifacts.ts";
import { decodeVerificationRecord, encodeVerificationRecordCall } from "../../../services/adapters/chain/verification-record-codec.ts";

const registry = new Interface(loadArtifact("DocumentRegistry").abi);

function encoded(overrides: { successor?: string; status?: number; bool?: boolean } = {}): string {
  const bool = overrides.bool ?? true;
  return registry.encodeFunctionResult("verificationRecord", [
    {
      batch: [bool, encodeBytes32String("DEMO"), encodeBytes32String("licence"), 1234, 99, 1_800_000_000, 1, 7],
      document: [overrides.status ?? 3, 5, 1_800_000_100, overrides.successor ?? `0x${"ab".repeat(16)}`],
      department: [true, false],
      typeGrant: [1_700_000_000, 0],
      key: [bool, 1_700_000_001, 2 ** 40, 0],
    },
  ]);
}

describe("verificationRecord codec", () => {
  it("encodes the call exactly as ethers' ABI coder does", () => {
    const query = { root: `0x${"12".repeat(32)}` as const, documentId: "9f".repeat(16), keyFingerprint: `0x${"34".repeat(32)}` as const };
    expect(encodeVerificationRecordCall(query)).toBe(
      registry.encodeFunctionData("verificationRecord", [query.root, `0x${query.documentId}`, query.keyFingerprint]),
    );
  });

  it("decodes every field of what the contract's ABI encodes", () => {
    expect(decodeVerificationRecord(encoded())).toEqual({
      batch: {
        anchored: true,
        department: "DEMO",
        docType: "licence",
        count: 1234,
        blockNumber: 99,
        anchoredAt: 1_800_000_000,
        status: "SUSPENDED",
        reasonCode: 7,
      },
      document: { status: "SUPERSEDED", reasonCode: 5, changedAt: 1_800_000_100, successor: "ab".repeat(16) },
      department: { registered: true, suspended: false },
      typeGrant: { grantedAt: 1_700_000_000, withdrawnAt: 0 },
      key: { registered: true, validFrom: 1_700_000_001, validUntil: 2 ** 40, compromisedAt: 0 },
    });
    expect(decodeVerificationRecord(encoded({ successor: `0x${"00".repeat(16)}`, status: 0, bool: false }))).toMatchObject({
      batch: { anchored: false },
      document: { status: "ACTIVE", successor: null },
      key: { registered: false },
    });
  });

  it("refuses answers that are not exactly the struct's encoding", () => {
    const good = encoded();
    expect(() => decodeVerificationRecord("0x")).toThrow();
    expect(() => decodeVerificationRecord(good.slice(0, -2))).toThrow();
    expect(() => decodeVerificationRecord(`${good}00`)).toThrow();
    expect(() => decodeVerificationRecord(`0x${"ff".repeat(640)}`)).toThrow();
    const notBool = `0x${"0".repeat(63)}2${good.slice(66)}`;
    expect(() => decodeVerificationRecord(notBool)).toThrow(/bool/);
  });
});
