// The one implementation of the calendar rules (events.md "Dates"): business dates are days in
// China time, never instants, so they are integer day numbers (days since 1970-01-01) on the
// proleptic Gregorian calendar, with no time zone and no Date object. The `YYYY-MM-DD` string
// functions in dates.ts and the KPI engine's day arithmetic are both built on this file.
import type { IsoDate } from './dates';

export interface CalendarDay {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// H. Hinnant's civil-calendar algorithms: exact for any year and free of the JavaScript Date's
// time-zone and two-digit-year quirks.

/** Day number of year/month/day (days_from_civil); the caller ensures it is a real calendar day. */
export function dayOfCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** Year, month and day of a day number (civil_from_days). */
export function civilOfDay(n: number): CalendarDay {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Digits of `date` from `start` to `end` (exclusive) as a number; NaN on a non-digit. */
function digits(date: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = date.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    value = value * 10 + c;
  }
  return value;
}

/**
 * Day number of a real calendar day written `YYYY-MM-DD` (years 0001..9999), NaN for anything
 * else. Hand-parsed with no RegExp or Date: a full KPI rebuild parses millions of dates.
 */
export function dayNumberOrNaN(date: string): number {
  if (date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    const y = digits(date, 0, 4);
    const m = digits(date, 5, 7);
    const d = digits(date, 8, 10);
    if (y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) return dayOfCivil(y, m, d);
  }
  return Number.NaN;
}

/** Day number of a `YYYY-MM-DD` date; throws a RangeError on anything that is not a real calendar day. */
export function dayNumber(date: IsoDate): number {
  const n = dayNumberOrNaN(date);
  if (Number.isNaN(n)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return n;
}

export function formatIsoDate({ year, month, day }: CalendarDay): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of a day number. */
export function isoDate(day: number): IsoDate {
  return formatIsoDate(civilOfDay(day));
}

/**
 * The same month and day `years` later. 29 February in a target year without one becomes
 * 1 March, so that "n years − 1 day" ends on 28 February (2024-02-29 + 3 years − 1 day = 2027-02-28,
 * events.md `certification.granted`).
 */
export function addYearsToDay(day: number, years: number): number {
  const { year, month, day: dom } = civilOfDay(day);
  const target = year + years;
  if (month === 2 && dom === 29 && !isLeapYear(target)) return dayOfCivil(target, 3, 1);
  return dayOfCivil(target, month, dom);
}

/** The last day of the month that `day` is in. */
export function monthEndDay(day: number): number {
  const { year, month } = civilOfDay(day);
  return dayOfCivil(year, month, daysInMonth(year, month));
}

/** Whether `day` is the last day of its month. */
export function isMonthEndDay(day: number): boolean {
  return civilOfDay(day + 1).day === 1;
}

/** Every month end m with from ≤ m ≤ to, ascending. */
export function monthEndDaysBetween(from: number, to: number): number[] {
  const ends: number[] = [];
  for (let m = monthEndDay(from); m <= to; m = monthEndDay(m + 1)) ends.push(m);
  return ends;
}
