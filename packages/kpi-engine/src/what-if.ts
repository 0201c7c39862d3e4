// What-if arithmetic (kpis.md "What-if (v1)"): hypothetical events change the KPI series of the firms
// they belong to and nothing else, so the counts with them are the stored counts plus, per touched
// firm, (its counts with the events) − (its counts without). Pure: callers add the deltas of the firms
// each indicator instance holds and of firms no instance knows yet.
import type { FirmEvent, IsoDate } from '@siliconalley/contract';
import type { ZoneRegistry } from '@siliconalley/zones';
import { deriveFirmContributions, type SeriesInterval } from './contributions';
import { dayNumber } from './days';

/** Series counts per date: date → series key → count (kpi-engine `seriesCounts` shape). */
export type CountsByDate = Record<IsoDate, Record<string, number>>;

/** How many of the intervals cover each date, per series key (keys with 0 left out). */
export function intervalCounts(intervals: readonly SeriesInterval[], dates: readonly IsoDate[]): CountsByDate {
  const out: CountsByDate = {};
  for (const date of dates) {
    const day = dayNumber(date);
    const counts: Record<string, number> = {};
    for (const { key, from, to } of intervals) if (from <= day && day < to) counts[key] = (counts[key] ?? 0) + 1;
    out[date] = counts;
  }
  return out;
}

/** `into` += `delta` (× sign), per date and key; zero entries dropped. Returns `into`. */
export function addCounts(into: CountsByDate, delta: Readonly<CountsByDate>, sign: 1 | -1 = 1): CountsByDate {
  for (const [date, counts] of Object.entries(delta)) {
    const target = (into[date] ??= {});
    for (const [key, n] of Object.entries(counts)) {
      const sum = (target[key] ?? 0) + sign * n;
      if (sum === 0) delete target[key];
      else target[key] = sum;
    }
  }
  return into;
}

/**
 * The change of every series on each date when one firm's events go from `stored` to `stored` plus
 * `hypothetical` (already free of duplicates of stored events).
 */
export function firmWhatIfDelta(
  stored: readonly FirmEvent[],
  hypothetical: readonly FirmEvent[],
  zones: ZoneRegistry,
  dates: readonly IsoDate[],
): CountsByDate {
  const after = intervalCounts(deriveFirmContributions([...stored, ...hypothetical], zones), dates);
  if (stored.length === 0) return after;
  return addCounts(after, intervalCounts(deriveFirmContributions(stored, zones), dates), -1);
}
