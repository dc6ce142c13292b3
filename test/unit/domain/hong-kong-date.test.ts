import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chineseHongKongDate, englishHongKongDate, hongKongDate } from "../../../services/domain/hong-kong-date.ts";
import { propertyOptions } from "../../property-seed.ts";

describe("Hong Kong dates", () => {
  it("turns to the next day at 16:00 UTC, not at midnight UTC", () => {
    expect(hongKongDate("2026-12-01T15:59:59Z")).toBe("2026-12-01");
    expect(hongKongDate("2026-12-01T16:00:00Z")).toBe("2026-12-02");
    expect(hongKongDate("2026-12-01T15:59:59.999Z")).toBe("2026-12-01");
    expect(hongKongDate("2026-12-01T16:00:00.000Z")).toBe("2026-12-02");
  });

  it("dates a document issued at 20:15 UTC (04:15 in Hong Kong) on the Hong Kong day, in both languages", () => {
    const issuedAt = "2026-12-01T20:15:00Z";
    expect(hongKongDate(issuedAt)).toBe("2026-12-02");
    expect(englishHongKongDate(issuedAt)).toBe("2 December 2026");
    expect(chineseHongKongDate(issuedAt)).toBe("2026年12月2日");
  });

  it("reads a Date, unix seconds (block time) and timestamps with any offset as the same instant", () => {
    const lastSecondOfDay = Date.parse("2026-12-01T15:59:59Z");
    expect(hongKongDate(new Date(lastSecondOfDay))).toBe("2026-12-01");
    expect(hongKongDate(new Date(lastSecondOfDay + 1000))).toBe("2026-12-02");
    expect(hongKongDate(lastSecondOfDay / 1000)).toBe("2026-12-01");
    expect(hongKongDate(lastSecondOfDay / 1000 + 1)).toBe("2026-12-02");
    expect(hongKongDate("2026-12-02T00:00:00+08:00")).toBe("2026-12-02");
    expect(hongKongDate("2026-12-01T23:59:59+08:00")).toBe("2026-12-01");
    expect(hongKongDate("2026-12-01T08:00:00-08:00")).toBe("2026-12-02");
  });

  it("turns the year in Hong Kong at 16:00 UTC on 31 December, and knows 29 February", () => {
    expect(hongKongDate("2026-12-31T16:00:00Z")).toBe("2027-01-01");
    expect(englishHongKongDate("2026-12-31T16:00:00Z")).toBe("1 January 2027");
    expect(chineseHongKongDate("2026-12-31T16:00:00Z")).toBe("2027年1月1日");
    expect(hongKongDate("2028-02-28T16:00:00Z")).toBe("2028-02-29");
  });

  it("takes a calendar date (a validity date) as already a Hong Kong date", () => {
    expect(hongKongDate("2026-01-01")).toBe("2026-01-01");
    expect(englishHongKongDate("2027-12-31")).toBe("31 December 2027");
    expect(chineseHongKongDate("2027-12-31")).toBe("2027年12月31日");
  });

  it("refuses what is not a date, and a timestamp without an offset (its day would depend on the machine)", () => {
    for (const bad of ["2026-12-01T20:15:00", "2026-02-30", "2026-13-01", "1 December 2026", "", "2026-12-01T25:00:00Z"]) {
      expect(() => hongKongDate(bad), bad).toThrow(RangeError);
    }
    expect(() => hongKongDate(Number.NaN)).toThrow(RangeError);
    expect(() => hongKongDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => englishHongKongDate("tomorrow")).toThrow(RangeError);
  });

  it("agrees with Intl's Asia/Hong_Kong time zone for any instant from 1980 to 2200", () => {
    const intl = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Hong_Kong", year: "numeric", month: "2-digit", day: "2-digit" });
    const instants = fc.integer({ min: Date.parse("1980-01-01T00:00:00Z"), max: Date.parse("2200-01-01T00:00:00Z") });
    fc.assert(
      fc.property(instants, (ms) => {
        expect(hongKongDate(new Date(ms))).toBe(intl.format(ms));
      }),
      propertyOptions({ numRuns: 2000 }),
    );
  });
});
