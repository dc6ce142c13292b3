/**
 * The two status list encodings (domain/status-list-formats.ts), read back by code nobody here
 * wrote: @sd-jwt/jwt-status-list for the Token Status List, node's zlib gunzip and the multibase
 * base64url rule for the Bitstring Status List (the bit order of the W3C Recommendation, §4.1:
 * index 0 is the left-most bit of the first byte).
 */
import { gunzipSync } from "node:zlib";
import { StatusList } from "@sd-jwt/jwt-status-list";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bitstringBitAt,
  encodeBitstringStatusList,
  encodeTokenStatusList,
  type StatusMark,
  tokenStatusAt,
  tokenStatusOf,
} from "../../../services/domain/status-list-formats.ts";
import { STATUS_LIST_SIZE } from "../../../services/domain/status-list-location.ts";
import type { OnChainStatus } from "../../../services/domain/verification-record.ts";
import { propertyOptions } from "../../property-seed.ts";

function bitstringBits(encodedList: string): Uint8Array {
  expect(encodedList.startsWith("u")).toBe(true);
  return gunzipSync(Buffer.from(encodedList.slice(1), "base64url"));
}
const bitAt = (bytes: Uint8Array, index: number) => ((bytes[index >> 3] as number) >> (7 - (index % 8))) & 1;

const marksArb = fc
  .uniqueArray(fc.nat(STATUS_LIST_SIZE - 1), { maxLength: 200 })
  .chain((indexes) =>
    fc.tuple(...indexes.map((index) => fc.constantFrom<OnChainStatus>("ACTIVE", "REVOKED", "SUSPENDED", "SUPERSEDED").map((status) => ({ index, status })))),
  )
  .map((marks): StatusMark[] => marks);

describe("the status list encodings", () => {
  it("maps ledger statuses to Token Status List values: ACTIVE 0 VALID, REVOKED and SUPERSEDED 1 INVALID, SUSPENDED 2", () => {
    expect(["ACTIVE", "REVOKED", "SUPERSEDED", "SUSPENDED"].map((s) => tokenStatusOf(s as OnChainStatus))).toEqual([0, 1, 1, 2]);
  });

  it("gives @sd-jwt/jwt-status-list every entry's status back from the Token Status List, 131,072 entries of 2 bits", () => {
    fc.assert(
      fc.property(marksArb, (marks) => {
        const list = StatusList.decompressStatusList(encodeTokenStatusList(marks, STATUS_LIST_SIZE), 2);
        expect(list.statusList.length).toBe(STATUS_LIST_SIZE);
        const expected = new Map(marks.map((m) => [m.index, tokenStatusOf(m.status)]));
        for (const m of marks) expect(list.getStatus(m.index)).toBe(expected.get(m.index));
        const others = list.statusList.filter((value, index) => value !== 0 && !expected.has(index));
        expect(others).toEqual([]);
      }),
      propertyOptions({ numRuns: 25 }),
    );
  });

  it("sets exactly the revoked (and superseded) bits in the revocation bitstring and the suspended ones in the suspension bitstring", () => {
    fc.assert(
      fc.property(marksArb, (marks) => {
        const revocation = bitstringBits(encodeBitstringStatusList(marks, STATUS_LIST_SIZE, "revocation"));
        const suspension = bitstringBits(encodeBitstringStatusList(marks, STATUS_LIST_SIZE, "suspension"));
        expect(revocation.length * 8).toBeGreaterThanOrEqual(131_072);
        expect(suspension.length * 8).toBeGreaterThanOrEqual(131_072);
        const revoked = marks.filter((m) => m.status === "REVOKED" || m.status === "SUPERSEDED").map((m) => m.index);
        const suspended = marks.filter((m) => m.status === "SUSPENDED").map((m) => m.index);
        const setBits = (bytes: Uint8Array) => Array.from({ length: STATUS_LIST_SIZE }, (_, i) => i).filter((i) => bitAt(bytes, i) === 1);
        expect(setBits(revocation)).toEqual([...revoked].sort((a, b) => a - b));
        expect(setBits(suspension)).toEqual([...suspended].sort((a, b) => a - b));
      }),
      propertyOptions({ numRuns: 10 }),
    );
  });

  it("puts Bitstring index 0 in the left-most bit of the first byte", () => {
    const bytes = bitstringBits(encodeBitstringStatusList([{ index: 0, status: "REVOKED" }], STATUS_LIST_SIZE, "revocation"));
    expect(bytes[0]).toBe(0x80);
  });

  it("reads back, as a relying party (eproof status) does, each entry's Token status and Bitstring bits, and refuses an index beyond the list", () => {
    fc.assert(
      fc.property(marksArb, (marks) => {
        const lst = encodeTokenStatusList(marks, STATUS_LIST_SIZE);
        const revocation = encodeBitstringStatusList(marks, STATUS_LIST_SIZE, "revocation");
        const suspension = encodeBitstringStatusList(marks, STATUS_LIST_SIZE, "suspension");
        for (const m of marks) {
          expect(tokenStatusAt({ bits: 2, lst }, m.index)).toBe(tokenStatusOf(m.status));
          expect(bitstringBitAt(revocation, m.index)).toBe(m.status === "REVOKED" || m.status === "SUPERSEDED");
          expect(bitstringBitAt(suspension, m.index)).toBe(m.status === "SUSPENDED");
        }
      }),
      propertyOptions({ numRuns: 10 }),
    );
    const empty = encodeTokenStatusList([], STATUS_LIST_SIZE);
    expect(() => tokenStatusAt({ bits: 2, lst: empty }, STATUS_LIST_SIZE)).toThrow(RangeError);
    expect(() => tokenStatusAt({ bits: 3, lst: empty }, 0)).toThrow(RangeError);
    expect(() => bitstringBitAt(encodeBitstringStatusList([], STATUS_LIST_SIZE, "revocation"), STATUS_LIST_SIZE)).toThrow(RangeError);
    expect(() => bitstringBitAt("zabc", 0)).toThrow(RangeError);
  });
});
