// Calendar-date arithmetic on `YYYY-MM-DD` strings (events.md "Dates"). The calendar rules
// themselves (leap years, month ends, day numbers) live once in days.ts; these are its string
// faces. `YYYY-MM-DD` strings order correctly as plain strings.
import {
  type CalendarDay,
  addYearsToDay,
  civilOfDay,
  dayNumber,
  dayNumberOrNaN,
  formatIsoDate,
  isMonthEndDay,
  isoDate,
  monthEndDay,
  monthEndDaysBetween,
} from './days';

/** A calendar day in China time, `YYYY-MM-DD`. */
export type IsoDate = string;

/** A real calendar day written `YYYY-MM-DD` (so `2024-02-29` yes, `2023-02-29` and `2024-2-1` no). */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && !Number.isNaN(dayNumberOrNaN(value));
}

export function parseIsoDate(date: IsoDate): CalendarDay {
  return civilOfDay(dayNumber(date));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return isoDate(dayNumber(date) + days);
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** The same month and day `years` later; 29 February rolls over to 1 March (days.ts `addYearsToDay`). */
export function addYears(date: IsoDate, years: number): IsoDate {
  return isoDate(addYearsToDay(dayNumber(date), years));
}

/** The last day of the month that `date` is in. */
export function monthEnd(date: IsoDate): IsoDate {
  return isoDate(monthEndDay(dayNumber(date)));
}

export function isMonthEnd(date: IsoDate): boolean {
  return isMonthEndDay(dayNumber(date));
}

/** Every month end m with from ≤ m ≤ to, in order. */
export function monthEndsBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  return monthEndDaysBetween(dayNumber(from), dayNumber(to)).map(isoDate);
}

/**
 * Asia/Shanghai is UTC+8 all year: China has kept no daylight saving time since 1991, so a fixed
 * offset is exact for every arrival time this system sees and needs no time-zone database.
 */
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar day in China time at an instant ("today" when given the current time). */
export function chinaDateOf(instant: Date): IsoDate {
  const shifted = new Date(instant.getTime() + CHINA_UTC_OFFSET_MS);
  return formatIsoDate({ year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() });
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 timestamp (`2025-10-10T02:00:00Z`, `2025-10-10T10:00:00.5+08:00`): a real calendar
 * date, hours 00–23, minutes and seconds 00–59 (leap seconds are refused: JavaScript cannot
 * order them), offset `Z` or ±hh:mm.
 */
export function isRfc3339Timestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = RFC3339.exec(value);
  if (!m || !isIsoDate(m[1])) return false;
  const within = (text: string | undefined, max: number) => text === undefined || Number(text) <= max;
  return within(m[2], 23) && within(m[3], 59) && within(m[4], 59) && within(m[8], 23) && within(m[9], 59);
}
