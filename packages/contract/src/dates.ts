// Calendar-date arithmetic on `YYYY-MM-DD` strings (events.md "Dates"): business dates are days
// in China time, never instants, so they are computed on the proleptic Gregorian calendar with
// integer day numbers and no time zone. `YYYY-MM-DD` strings order correctly as plain strings.

/** A calendar day in China time, `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

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
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function toCalendarDay(value: string): CalendarDay | null {
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** A real calendar day written `YYYY-MM-DD` (so `2024-02-29` yes, `2023-02-29` and `2024-2-1` no). */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && toCalendarDay(value) !== null;
}

export function parseIsoDate(date: IsoDate): CalendarDay {
  const day = toCalendarDay(date);
  if (!day) throw new RangeError(`not a calendar date YYYY-MM-DD: ${JSON.stringify(date)}`);
  return day;
}

export function formatIsoDate({ year, month, day }: CalendarDay): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// Day numbers relative to 1970-01-01 (H. Hinnant's civil-calendar algorithms): exact for any
// year and independent of the JavaScript Date's time-zone and two-digit-year quirks.
function dayNumber({ year, month, day }: CalendarDay): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fromDayNumber(n: number): CalendarDay {
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

export function addDays(date: IsoDate, days: number): IsoDate {
  return formatIsoDate(fromDayNumber(dayNumber(parseIsoDate(date)) + days));
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(parseIsoDate(to)) - dayNumber(parseIsoDate(from));
}

/**
 * The same month and day `years` later. 29 February in a target year without one becomes
 * 1 March, so that "n years − 1 day" ends on 28 February (2024-02-29 + 3 years − 1 day = 2027-02-28,
 * events.md `certification.granted`).
 */
export function addYears(date: IsoDate, years: number): IsoDate {
  const { year, month, day } = parseIsoDate(date);
  const target = year + years;
  if (month === 2 && day === 29 && !isLeapYear(target)) return formatIsoDate({ year: target, month: 3, day: 1 });
  return formatIsoDate({ year: target, month, day });
}

/** The last day of the month that `date` is in. */
export function monthEnd(date: IsoDate): IsoDate {
  const { year, month } = parseIsoDate(date);
  return formatIsoDate({ year, month, day: daysInMonth(year, month) });
}

export function isMonthEnd(date: IsoDate): boolean {
  return monthEnd(date) === date;
}

/** Every month end m with from ≤ m ≤ to, in order. */
export function monthEndsBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const ends: IsoDate[] = [];
  for (let end = monthEnd(from); end <= to; end = monthEnd(addDays(end, 1))) ends.push(end);
  return ends;
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
