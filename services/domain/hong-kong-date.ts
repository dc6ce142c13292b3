/**
 * The one date rule: a date shown to a person is a Hong Kong calendar date. Machine fields stay ISO
 * 8601 UTC timestamps (`…Z`); only what a person reads (the PDF, the verify page, the CLI) goes
 * through here. Hong Kong has kept UTC+8 without daylight saving since 1979, so a fixed offset is
 * exact for any document e-Proof issues and needs no time-zone database (`Intl` with
 * `Asia/Hong_Kong` agrees: the unit tests compare the two).
 */

/** An instant: an ISO 8601 timestamp with `Z` or an offset, a Date, or unix seconds (block time). A calendar date "YYYY-MM-DD" is already a Hong Kong date. */
export type DateInput = string | Date | number;

const HONG_KONG_OFFSET_MS = 8 * 3600 * 1000;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An offset is required: a timestamp without one means the reader's local time, which differs by machine.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function unreadable(at: unknown): RangeError {
  return new RangeError(`not a date: ${String(at)} (expected an ISO 8601 timestamp with Z or an offset, a "YYYY-MM-DD" date, a Date or unix seconds)`);
}

function instantMs(at: DateInput): number {
  if (typeof at === "number") return at * 1000;
  if (at instanceof Date) return at.getTime();
  return TIMESTAMP.test(at) ? Date.parse(at) : Number.NaN;
}

function isRealCalendarDate(value: string): boolean {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

/**
 * The Hong Kong calendar date of `at`, "YYYY-MM-DD": 2026-12-01T20:15:00Z is "2026-12-02". A calendar
 * date is returned as it is. Throws RangeError for anything else (a timestamp without an offset too).
 */
export function hongKongDate(at: DateInput): string {
  if (typeof at === "string" && CALENDAR_DATE.test(at)) {
    if (!isRealCalendarDate(at)) throw unreadable(at);
    return at;
  }
  const ms = instantMs(at);
  if (!Number.isFinite(ms)) throw unreadable(at);
  const date = new Date(ms + HONG_KONG_OFFSET_MS);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 0) throw unreadable(at);
  return date.toISOString().slice(0, 10);
}

function parts(at: DateInput): { year: number; month: number; day: number } {
  const [, year, month, day] = CALENDAR_DATE.exec(hongKongDate(at)) as RegExpExecArray;
  return { year: Number(year), month: Number(month), day: Number(day) };
}

/** The Hong Kong date of `at` in English, "2 December 2026". */
export function englishHongKongDate(at: DateInput): string {
  const { year, month, day } = parts(at);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** The Hong Kong date of `at` in Chinese, "2026年12月2日". */
export function chineseHongKongDate(at: DateInput): string {
  const { year, month, day } = parts(at);
  return `${year}年${month}月${day}日`;
}
