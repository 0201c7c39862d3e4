// Calendar days as integers (days since 1970-01-01). Business dates are China calendar dates with
// no time of day, so plain UTC day arithmetic is exact. Calendar rules of the contract (a
// certificate's default validity) stay in the contract; this file only converts and counts days.
import { certificateValidUntil, type IsoDate } from '@siliconalley/contract';

const MS_PER_DAY = 86_400_000;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number => (m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
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

/** Day number of a `YYYY-MM-DD` date; throws on anything that is not a real calendar date. */
export function dayNumber(date: IsoDate): number {
  // Hand-parsed: a full rebuild parses millions of dates.
  if (date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    const [y, m, d] = [digits(date, 0, 4), digits(date, 5, 7), digits(date, 8, 10)];
    if (y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) return daysFromCivil(y, m, d);
  }
  throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
}

/** `YYYY-MM-DD` of a day number (years 0..9999). */
export function isoDate(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The day `years` years after `day`; 29 February rolls over to 1 March in a common year. */
export function addYears(day: number, years: number): number {
  const d = new Date(day * MS_PER_DAY);
  return Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()) / MS_PER_DAY;
}

/** Last valid day of a certificate sent with `validUntil: null`, by the contract's rule (`certificateValidUntil`). */
export function defaultValidUntil(validFrom: number): number {
  return dayNumber(certificateValidUntil({ validFrom: isoDate(validFrom), validUntil: null }));
}

/** Whether `day` is the last day of its month. */
export function isMonthEnd(day: number): boolean {
  return new Date((day + 1) * MS_PER_DAY).getUTCDate() === 1;
}

/** Last day of the month containing `day`. */
export function monthEnd(day: number): number {
  const d = new Date(day * MS_PER_DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / MS_PER_DAY - 1;
}

/** Month ends `m` with `from ≤ m ≤ to`, ascending. */
export function monthEndsBetween(from: number, to: number): number[] {
  const ends: number[] = [];
  for (let m = monthEnd(from); m <= to; m = monthEnd(m + 1)) ends.push(m);
  return ends;
}
