/**
 * Status list places (domain/status-list-index.ts): a keyed permutation of each list's index space,
 * so the indexes of one list are distinct and reveal nothing of the order documents got them in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { permuteIndex, statusListPlace } from "../../../services/domain/status-list-index.ts";
import { STATUS_LIST_SIZE } from "../../../services/domain/status-list-location.ts";
import { propertyOptions } from "../../property-seed.ts";

const secretArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString("hex"));

describe("status list places", () => {
  it("lists hold at least 131,072 entries (herd privacy)", () => {
    expect(STATUS_LIST_SIZE).toBeGreaterThanOrEqual(131_072);
  });

  it("maps the whole of a list's 131,072 ordinals onto its 131,072 indexes, each once", () => {
    const secret = "ab".repeat(32);
    const seen = new Uint8Array(STATUS_LIST_SIZE);
    let otherLists = 0;
    for (let ordinal = 0; ordinal < STATUS_LIST_SIZE; ordinal++) {
      const { list, index } = statusListPlace(secret, ordinal);
      if (list !== 0) otherLists++;
      seen[index] = (seen[index] as number) + 1;
    }
    expect(otherLists).toBe(0);
    expect(seen.every((count) => count === 1)).toBe(true);
  }, 120_000);

  it("is a permutation of 0 … size-1 for any secret, list and size (cycle-walking stays in range)", () => {
    fc.assert(
      fc.property(secretArb, fc.nat(1000), fc.integer({ min: 2, max: 1500 }), (secret, list, size) => {
        const images = new Set<number>();
        for (let value = 0; value < size; value++) {
          const image = permuteIndex(secret, list, value, size);
          expect(image).toBeGreaterThanOrEqual(0);
          expect(image).toBeLessThan(size);
          images.add(image);
        }
        expect(images.size).toBe(size);
      }),
      propertyOptions({ numRuns: 30 }),
    );
  });

  it("gives ordinal o list floor(o / size), and the same place for the same secret on every call (every instance agrees)", () => {
    fc.assert(
      fc.property(secretArb, fc.nat(10 * STATUS_LIST_SIZE), (secret, ordinal) => {
        const place = statusListPlace(secret, ordinal);
        expect(place.list).toBe(Math.floor(ordinal / STATUS_LIST_SIZE));
        expect(statusListPlace(secret, ordinal)).toEqual(place);
      }),
      propertyOptions({ numRuns: 200 }),
    );
  });

  it("scatters consecutive ordinals over the whole list: no order to read from the indexes", () => {
    fc.assert(
      fc.property(secretArb, fc.nat(STATUS_LIST_SIZE - 2048), (secret, start) => {
        const indexes = Array.from({ length: 2048 }, (_, i) => statusListPlace(secret, start + i).index);
        // 16 equal ranges of the list: 128 expected in each; a monotone or clustered mapping would fill a few.
        const buckets = new Array(16).fill(0);
        for (const index of indexes) buckets[Math.floor((index * 16) / STATUS_LIST_SIZE)]++;
        for (const count of buckets) expect(count).toBeGreaterThan(64);
        // Rising or falling steps about as often as not (an order-preserving map would only rise).
        let rises = 0;
        for (let i = 1; i < indexes.length; i++) if ((indexes[i] as number) > (indexes[i - 1] as number)) rises++;
        expect(rises / (indexes.length - 1)).toBeGreaterThan(0.4);
        expect(rises / (indexes.length - 1)).toBeLessThan(0.6);
      }),
      propertyOptions({ numRuns: 10 }),
    );
  });

  it("places the same ordinal elsewhere for another department's secret, and elsewhere in another list", () => {
    fc.assert(
      fc.property(secretArb, secretArb, (a, b) => {
        fc.pre(a !== b);
        const ordinals = Array.from({ length: 64 }, (_, i) => i);
        const differ = ordinals.filter((o) => statusListPlace(a, o).index !== statusListPlace(b, o).index).length;
        expect(differ).toBeGreaterThan(60);
        const otherList = ordinals.filter((o) => statusListPlace(a, o).index !== statusListPlace(a, o + STATUS_LIST_SIZE).index).length;
        expect(otherList).toBeGreaterThan(60);
      }),
      propertyOptions({ numRuns: 20 }),
    );
  });

  it("refuses a negative or fractional ordinal", () => {
    expect(() => statusListPlace("00", -1)).toThrow(RangeError);
    expect(() => statusListPlace("00", 1.5)).toThrow(RangeError);
  });
});
