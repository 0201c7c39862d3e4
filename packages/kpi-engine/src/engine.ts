// The as-of KPI engine: per-series day-indexed counts that answer any as-of date in
// O(series · log days), whatever the number of firms, and that one firm's re-derived
// contributions update in O(its intervals · log days).
import type { FirmEvent, IsoDate } from '@siliconalley/contract';
import type { ZoneRegistry } from '@siliconalley/zones';
import { DISTRICT, kpiCatalogue, seriesKey, zoneScope, type KpiEntry, type KpiRef } from './catalogue';
import { deriveFirmContributions, type SeriesInterval } from './contributions';
import { dayNumber } from './days';
import { FenwickForest } from './fenwick';
import { FOREVER } from './history';

export interface KpiEngineOptions {
  /** First and last day the engine answers for (inclusive). Facts before firstDate hold from it. */
  firstDate?: IsoDate;
  lastDate?: IsoDate;
}

export const DEFAULT_FIRST_DATE = '1990-01-01';
export const DEFAULT_LAST_DATE = '2060-12-31';

/** One firm counted in a KPI entry; `count` > 1 when the KPI counts certificates and it holds several. */
export interface ExplainRow {
  uscc: string;
  count: number;
}

type Reading = { ref: KpiRef; series: number } | { ref: KpiRef; numerator: number; denominator: number };

/** Interval fields per firm in its packed contributions: series index, first day index, end day index. */
const FIELDS = 3;

export class KpiEngine {
  readonly firstDate: IsoDate;
  readonly lastDate: IsoDate;
  private readonly firstDay: number;
  private readonly days: number;
  private readonly seriesKeys: readonly string[];
  private readonly seriesByKey: ReadonlyMap<string, number>;
  private readonly readings: readonly Reading[];
  private readonly readingByKey: ReadonlyMap<string, Reading>;
  private readonly forest: FenwickForest;
  /** Scratch for `kpis`: reused, since a fresh off-heap typed array per query costs GC time. */
  private readonly counts: Int32Array;
  /**
   * Per firm its contributions packed as [series, from, to) day indexes; to = days means open-ended.
   * A plain array of small integers: V8 stores it in ~60 bytes where a small Int32Array costs ~175
   * (millions of firms are held).
   */
  private readonly firms = new Map<string, readonly number[]>();

  constructor(
    readonly zones: ZoneRegistry,
    options: KpiEngineOptions = {},
  ) {
    this.firstDate = options.firstDate ?? DEFAULT_FIRST_DATE;
    this.lastDate = options.lastDate ?? DEFAULT_LAST_DATE;
    this.firstDay = dayNumber(this.firstDate);
    this.days = dayNumber(this.lastDate) - this.firstDay + 1;
    if (this.days < 1) throw new RangeError(`KpiEngine: lastDate ${this.lastDate} is before firstDate ${this.firstDate}`);

    const seriesByKey = new Map<string, number>();
    const seriesOf = (ref: KpiRef): number => {
      const key = seriesKey(ref);
      if (!seriesByKey.has(key)) seriesByKey.set(key, seriesByKey.size);
      return seriesByKey.get(key)!;
    };
    this.readings = kpiCatalogue(zones.zoneIds).map((ref): Reading => {
      if (ref.id !== 'zone_share') return { ref, series: seriesOf(ref) };
      // zone_share = qualified{zone} / qualified{district}: read from the two counts.
      return {
        ref,
        numerator: seriesOf({ id: 'qualified_firms', scope: ref.scope }),
        denominator: seriesOf({ id: 'qualified_firms', scope: DISTRICT }),
      };
    });
    this.seriesByKey = seriesByKey;
    this.seriesKeys = [...seriesByKey.keys()];
    this.readingByKey = new Map(this.readings.map((r) => [seriesKey(r.ref), r]));
    this.forest = new FenwickForest(seriesByKey.size, this.days);
    this.counts = new Int32Array(seriesByKey.size);
  }

  /** Firms that contribute to at least one series. */
  get firmCount(): number {
    return this.firms.size;
  }

  /** Replaces a firm's contributions by those derived from ALL of its accepted events. */
  setFirmEvents(uscc: string, events: readonly FirmEvent[]): void {
    this.setFirmContributions(uscc, deriveFirmContributions(events, this.zones));
  }

  /** Replaces a firm's contributions: subtracts the old intervals, adds the new ones. */
  setFirmContributions(uscc: string, intervals: readonly SeriesInterval[]): void {
    const packed = this.pack(intervals); // throws before anything changes
    const previous = this.firms.get(uscc);
    if (previous !== undefined) this.apply(previous, -1);
    this.apply(packed, +1);
    if (packed.length > 0) this.firms.set(uscc, packed);
    else this.firms.delete(uscc);
  }

  removeFirm(uscc: string): void {
    this.setFirmContributions(uscc, []);
  }

  /** The firm's stored contributions, clamped to the engine's day range. */
  contributionsOf(uscc: string): SeriesInterval[] {
    const packed = this.firms.get(uscc);
    if (packed === undefined) return [];
    const out: SeriesInterval[] = [];
    for (let i = 0; i < packed.length; i += FIELDS) {
      const to = packed[i + 2]!;
      out.push({
        key: this.seriesKeys[packed[i]!]!,
        from: this.firstDay + packed[i + 1]!,
        to: to === this.days ? FOREVER : this.firstDay + to,
      });
    }
    return out;
  }

  /** Every KPI entry as of the end of `asOf`, in api.md shape; zero counts included. */
  kpis(asOf: IsoDate): KpiEntry[] {
    const day = this.dayIndex(asOf);
    const counts = this.counts;
    for (let s = 0; s < counts.length; s++) counts[s] = this.forest.prefixSum(s, day);
    return this.readings.map((reading) =>
      entryOf(
        reading.ref,
        readValue(reading, (s) => counts[s]!),
      ),
    );
  }

  /**
   * The raw count of every series as of `asOf`, by series key. Counts of disjoint sets of firms
   * (instances owning different partitions) add up; `composeKpis` turns the sums into entries.
   */
  seriesCounts(asOf: IsoDate): Record<string, number> {
    const day = this.dayIndex(asOf);
    const out: Record<string, number> = {};
    for (let s = 0; s < this.seriesKeys.length; s++) out[this.seriesKeys[s]!] = this.forest.prefixSum(s, day);
    return out;
  }

  /** One KPI entry's value as of `asOf`. */
  value(ref: KpiRef, asOf: IsoDate): number | null {
    const day = this.dayIndex(asOf);
    return readValue(this.reading(ref), (s) => this.forest.prefixSum(s, day));
  }

  /**
   * The firms counted in a KPI entry on `asOf` (for zone_share: the zone's qualified firms), sorted by
   * USCC. Scans the stored contributions of every firm: a diagnostic, not a hot path.
   */
  explain(ref: KpiRef, asOf: IsoDate): ExplainRow[] {
    const day = this.dayIndex(asOf);
    const reading = this.reading(ref);
    const series = 'series' in reading ? reading.series : reading.numerator;
    const rows: ExplainRow[] = [];
    for (const [uscc, packed] of this.firms) {
      let count = 0;
      for (let i = 0; i < packed.length; i += FIELDS) {
        if (packed[i] === series && packed[i + 1]! <= day && day < packed[i + 2]!) count++;
      }
      if (count > 0) rows.push({ uscc, count });
    }
    return rows.sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
  }

  private reading(ref: KpiRef): Reading {
    const reading = this.readingByKey.get(seriesKey(ref));
    if (reading === undefined) {
      const zones = this.zones.zoneIds.map(zoneScope).join(', ');
      throw new RangeError(`unknown KPI entry ${JSON.stringify(ref)} (scopes: district, ${zones}; see kpis.md for labels)`);
    }
    return reading;
  }

  private dayIndex(asOf: IsoDate): number {
    const index = dayNumber(asOf) - this.firstDay;
    if (index < 0 || index >= this.days) {
      throw new RangeError(`as-of date ${asOf} is outside the engine's range ${this.firstDate}..${this.lastDate}`);
    }
    return index;
  }

  private pack(intervals: readonly SeriesInterval[]): number[] {
    const packed: number[] = [];
    for (const { key, from, to } of intervals) {
      const series = this.seriesByKey.get(key);
      if (series === undefined) throw new RangeError(`unknown KPI series ${JSON.stringify(key)}`);
      // Clamp to the day range: a fact from before firstDate holds on firstDate; one ending after lastDate is open.
      const start = Math.max(from - this.firstDay, 0);
      const end = Math.min(to - this.firstDay, this.days);
      if (start < end) packed.push(series, start, end);
    }
    // slice(): exactly as long as the contents (push leaves spare capacity).
    return packed.slice();
  }

  private apply(packed: readonly number[], sign: 1 | -1): void {
    for (let i = 0; i < packed.length; i += FIELDS) {
      const series = packed[i]!;
      this.forest.add(series, packed[i + 1]!, sign);
      const end = packed[i + 2]!;
      if (end < this.days) this.forest.add(series, end, -sign);
    }
  }
}

/**
 * The api.md entry: labels in a fixed order, absent ones left out. Object literals of a few fixed
 * shapes, not a spread: spreading the refs made kpis() ~15× slower and fed the GC.
 */
function entryOf({ id, scope, kind, industry, within }: KpiRef, value: number | null): KpiEntry {
  if (kind !== undefined) return within !== undefined ? { id, scope, kind, within, value } : { id, scope, kind, value };
  return industry !== undefined ? { id, scope, industry, value } : { id, scope, value };
}

function readValue(reading: Reading, count: (series: number) => number): number | null {
  if ('series' in reading) return count(reading.series);
  const district = count(reading.denominator);
  return district === 0 ? null : count(reading.numerator) / district;
}
