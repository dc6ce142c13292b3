import { encodeBytes32String, Interface, type ParamType } from "ethers";
import { describe, expect, it } from "vitest";
import { loadArtifact } from "../../../services/adapters/chain/contract-artifacts.ts";
import { decodeVerificationRecord, encodeVerificationRecordCall } from "../../../services/adapters/chain/verification-record-codec.ts";

const registry = new Interface(loadArtifact("DocumentRegistry").abi);
const WORDS = 19;

function encoded(overrides: { successor?: string; status?: number; bool?: boolean } = {}): string {
  const bool = overrides.bool ?? true;
  return registry.encodeFunctionResult("verificationRecord", [
    {
      batch: [bool, encodeBytes32String("DEMO"), encodeBytes32String("licence"), 1234, 99, 1_800_000_000, 1],
      document: [overrides.status ?? 3, 1_800_000_100, overrides.successor ?? `0x${"ab".repeat(16)}`],
      department: [true, false],
      typeGrant: [1_700_000_000, 0],
      key: [bool, 1_700_000_001, 2 ** 40, 0, 77],
    },
  ]);
}

/** `good` with word `index` replaced by `word` (64 hex digits). */
function withWord(good: string, index: number, word: string): string {
  const start = 2 + index * 64;
  return `${good.slice(0, start)}${word}${good.slice(start + 64)}`;
}

/** Every leaf field name of a tuple, depth first, as "group.field". */
function leafNames(type: ParamType, prefix = ""): string[] {
  if (type.components === null) return [prefix + type.name];
  return type.components.flatMap((component) => leafNames(component, prefix === "" && type.name === "record" ? "" : `${prefix}${type.name}.`));
}

describe("verificationRecord codec", () => {
  it("encodes the call, the issuing department first, exactly as ethers' ABI coder does", () => {
    const query = {
      department: "DEMO",
      root: `0x${"12".repeat(32)}` as const,
      documentId: "9f".repeat(16),
      keyFingerprint: `0x${"34".repeat(32)}` as const,
    };
    expect(encodeVerificationRecordCall(query)).toBe(
      registry.encodeFunctionData("verificationRecord", [encodeBytes32String("DEMO"), query.root, `0x${query.documentId}`, query.keyFingerprint]),
    );
  });

  it("reads a struct of 19 static words with no reason code in it", () => {
    const fragment = registry.getFunction("verificationRecord");
    const [record] = fragment?.outputs ?? [];
    if (record === undefined) throw new Error("verificationRecord has no output");
    expect(leafNames(record)).toEqual([
      "batch.anchored",
      "batch.department",
      "batch.docType",
      "batch.count",
      "batch.blockNumber",
      "batch.anchoredAt",
      "batch.status",
      "document.status",
      "document.changedAt",
      "document.successor",
      "department.registered",
      "department.suspended",
      "typeGrant.grantedAt",
      "typeGrant.withdrawnAt",
      "key.registered",
      "key.validFrom",
      "key.validUntil",
      "key.compromisedAt",
      "key.registeredBlock",
    ]);
    expect(encoded()).toHaveLength(2 + WORDS * 64);
  });

  it("decodes every field of what the contract's ABI encodes, and no reason code", () => {
    expect(decodeVerificationRecord(encoded())).toEqual({
      batch: {
        anchored: true,
        department: "DEMO",
        docType: "licence",
        count: 1234,
        blockNumber: 99,
        anchoredAt: 1_800_000_000,
        status: "SUSPENDED",
      },
      document: { status: "SUPERSEDED", changedAt: 1_800_000_100, successor: "ab".repeat(16) },
      department: { registered: true, suspended: false },
      typeGrant: { grantedAt: 1_700_000_000, withdrawnAt: 0 },
      key: { registered: true, validFrom: 1_700_000_001, validUntil: 2 ** 40, compromisedAt: 0, registeredBlock: 77 },
    });
    expect(decodeVerificationRecord(encoded({ successor: `0x${"00".repeat(16)}`, status: 0, bool: false }))).toMatchObject({
      batch: { anchored: false },
      document: { status: "ACTIVE", successor: null },
      key: { registered: false },
    });
  });

  it("reads each field from the word ethers' coder puts it in", () => {
    // A distinct value in every numeric field: a field read from its neighbour's word shows.
    const values = {
      batch: [true, encodeBytes32String("LANDSD"), encodeBytes32String("permit"), 11, 12, 13, 2],
      document: [1, 14, `0x${"cd".repeat(16)}`],
      department: [false, true],
      typeGrant: [15, 16],
      key: [true, 17, 18, 19, 20],
    };
    const ours = decodeVerificationRecord(registry.encodeFunctionResult("verificationRecord", [values]));
    const [theirs] = registry.decodeFunctionResult("verificationRecord", registry.encodeFunctionResult("verificationRecord", [values]));
    expect(ours).toEqual({
      batch: {
        anchored: theirs.batch.anchored,
        department: "LANDSD",
        docType: "permit",
        count: Number(theirs.batch.count),
        blockNumber: Number(theirs.batch.blockNumber),
        anchoredAt: Number(theirs.batch.anchoredAt),
        status: "REVOKED",
      },
      document: { status: "SUSPENDED", changedAt: Number(theirs.document.changedAt), successor: "cd".repeat(16) },
      department: { registered: theirs.department.registered, suspended: theirs.department.suspended },
      typeGrant: { grantedAt: Number(theirs.typeGrant.grantedAt), withdrawnAt: Number(theirs.typeGrant.withdrawnAt) },
      key: {
        registered: theirs.key.registered,
        validFrom: Number(theirs.key.validFrom),
        validUntil: Number(theirs.key.validUntil),
        compromisedAt: Number(theirs.key.compromisedAt),
        registeredBlock: Number(theirs.key.registeredBlock),
      },
    });
    expect(ours.batch).toMatchObject({ count: 11, blockNumber: 12, anchoredAt: 13 });
    expect(ours.key).toEqual({ registered: true, validFrom: 17, validUntil: 18, compromisedAt: 19, registeredBlock: 20 });
  });

  it("refuses answers that are not exactly the struct's encoding", () => {
    const good = encoded();
    expect(() => decodeVerificationRecord("0x")).toThrow(/expected 608/);
    expect(() => decodeVerificationRecord(good.slice(0, -2))).toThrow(/expected 608/);
    expect(() => decodeVerificationRecord(`${good}00`)).toThrow(/expected 608/);
    // The old 20-word layout (with two reason codes) is refused, not read shifted.
    expect(() => decodeVerificationRecord(`${good}${"0".repeat(64)}`)).toThrow(/expected 608/);
    expect(() => decodeVerificationRecord(`0x${"zz".repeat(WORDS * 32)}`)).toThrow(/expected 608/);
    expect(() => decodeVerificationRecord(withWord(good, 0, `${"0".repeat(63)}2`))).toThrow(/word 0 is not a bool/);
    expect(() => decodeVerificationRecord(withWord(good, 14, `${"0".repeat(63)}2`))).toThrow(/word 14 is not a bool/);
    expect(() => decodeVerificationRecord(withWord(good, 3, `${"0".repeat(55)}100000000`))).toThrow(/word 3 is wider than uint32/);
    expect(() => decodeVerificationRecord(withWord(good, 17, "f".repeat(64)))).toThrow(/word 17 is wider than uint64/);
    expect(() => decodeVerificationRecord(withWord(good, 18, "f".repeat(64)))).toThrow(/word 18 is wider than uint64/);
    expect(() => decodeVerificationRecord(withWord(good, 9, "ab".repeat(32)))).toThrow(/word 9 is not a bytes16/);
    expect(() => decodeVerificationRecord(withWord(good, 6, `${"0".repeat(63)}4`))).toThrow(/unknown status 4/);
  });
});
