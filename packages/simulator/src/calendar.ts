// Day arithmetic for the simulation on the contract's day numbers (days since 1970-01-01, its
// days.ts), and the text forms the contract wants. Formatting dates dominates generating millions of
// records, so ISO dates are memoised per day (a few tens of thousands of days at most: bounded).
import { civilOfDay, dayNumber, dayOfCivil, isIsoDate, isoDate, type IsoDate } from '@siliconalley/contract';

/** Milliseconds per day, for instants (times of day), not for calendar arithmetic. */
export const DAY_MS = 86_400_000;

/** The contract's day number of a date. */
export const dayOf = (date: IsoDate): number => dayNumber(date);

const isoCache = new Map<number, IsoDate>();
export function iso(day: number): IsoDate {
  let text = isoCache.get(day);
  if (text === undefined) isoCache.set(day, (text = isoDate(day)));
  return text;
}

export function yearOf(day: number): number {
  return civilOfDay(day).year;
}

/** Day number of 1 January of `year`. */
export function yearStart(year: number): number {
  return dayOfCivil(year, 1, 1);
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * RFC 3339 text of an instant, as providers write it: UTC (`Z`) or China time (`+08:00`), whole
 * seconds. Built from the memoised day text: `Date#toISOString` per record is a hot spot at scale.
 */
export function timestamp(ms: number, chinaOffset: boolean): string {
  const shifted = chinaOffset ? ms + 8 * 3_600_000 : ms;
  const day = Math.floor(shifted / DAY_MS);
  const seconds = Math.floor((shifted - day * DAY_MS) / 1000);
  const clock = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return `${iso(day)}T${clock}${chinaOffset ? '+08:00' : 'Z'}`;
}

export function assertIsoDate(name: string, value: string): IsoDate {
  if (!isIsoDate(value)) throw new RangeError(`${name} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}
