/**
 * The verify hot path's ABI codec for `DocumentRegistry.verificationRecord`. The call takes four
 * static words and returns a struct of 19 static words, so both are plain word slicing. ethers'
 * generic coder cost more CPU per verification than everything else in the verifier together;
 * this codec is checked against it in test/integration/chain-adapter.test.ts.
 */
import { id } from "ethers";
import type { VerificationRecord } from "../../domain/verification-record.ts";
import type { Hex } from "../../ports.ts";
import { fromBytes32String, fromDocumentIdBytes16, statusFromIndex, toBytes32, toBytes32String, toDocumentIdBytes16 } from "./chain-codec.ts";

const SELECTOR = id("verificationRecord(bytes32,bytes32,bytes16,bytes32)").slice(0, 10);
const WORDS = 19;

export function encodeVerificationRecordCall(query: { department: string; root: Hex; documentId: string; keyFingerprint: Hex }): Hex {
  const department = toBytes32String(query.department, "department code").slice(2);
  const root = toBytes32(query.root, "Merkle root").slice(2);
  const documentId = toDocumentIdBytes16(query.documentId).slice(2).padEnd(64, "0");
  const fingerprint = toBytes32(query.keyFingerprint, "key fingerprint").slice(2);
  return `${SELECTOR}${department}${root}${documentId}${fingerprint}` as Hex;
}

/** Decodes the returned struct; throws on anything that is not exactly its ABI encoding. */
export function decodeVerificationRecord(returned: string): VerificationRecord {
  if (typeof returned !== "string" || returned.length !== 2 + WORDS * 64 || !/^0x[0-9a-fA-F]*$/.test(returned)) {
    throw new Error(`verificationRecord returned ${typeof returned === "string" ? (returned.length - 2) / 2 : 0} bytes, expected ${WORDS * 32}`);
  }
  const word = (i: number) => returned.slice(2 + i * 64, 2 + (i + 1) * 64);
  const uint = (i: number, bits: number): number => {
    const w = word(i);
    const digits = bits / 4;
    if (!/^0*$/.test(w.slice(0, 64 - digits))) throw new Error(`word ${i} is wider than uint${bits}`);
    return Number.parseInt(w.slice(64 - digits), 16);
  };
  const bool = (i: number): boolean => {
    const value = uint(i, 8);
    if (value > 1) throw new Error(`word ${i} is not a bool`);
    return value === 1;
  };
  const successor = word(9);
  if (!/^0*$/.test(successor.slice(32))) throw new Error("word 9 is not a bytes16");
  return {
    batch: {
      anchored: bool(0),
      department: fromBytes32String(`0x${word(1)}`),
      docType: fromBytes32String(`0x${word(2)}`),
      count: uint(3, 32),
      blockNumber: uint(4, 64),
      anchoredAt: uint(5, 64),
      status: statusFromIndex(uint(6, 8)),
    },
    document: {
      status: statusFromIndex(uint(7, 8)),
      changedAt: uint(8, 64),
      successor: fromDocumentIdBytes16(`0x${successor.slice(0, 32)}`),
    },
    department: { registered: bool(10), suspended: bool(11) },
    typeGrant: { grantedAt: uint(12, 64), withdrawnAt: uint(13, 64) },
    key: { registered: bool(14), validFrom: uint(15, 64), validUntil: uint(16, 64), compromisedAt: uint(17, 64), registeredBlock: uint(18, 64) },
  };
}
