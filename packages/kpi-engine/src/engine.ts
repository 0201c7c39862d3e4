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

/** The KPI whose series keep no member set (see KpiEngine.members). */
const UNINDEXED_SERIES = 'active_firms';

/** Interval fields per firm in its packed contributions: series index, first day index, end day index. */
const FIELDS = 3;
/** Packed contributions start with the firm's USCC (the one string the engine keeps for it), then the intervals. */
const HEAD = 1;

/**
 * A firm's contributions: its USCC, then per interval [series, from, to) as day indexes (to = days
 * means open-ended). The USCC is the string first given for the firm, kept so that the series'
 * member sets and the firm map share one string per firm whatever strings later updates pass.
 */
type Packed = readonly [uscc: string, ...intervals: number[]];

/** Firms that gained / lost membership of a set between two days. */
export interface Turnover {
  gained: number;
  lost: number;
}

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
   * Per firm its contributions packed as its USCC then [series, from, to) day indexes (`Packed`).
   * A plain array of small integers (and one string): V8 stores it in ~70 bytes where a small
   * Int32Array costs ~175 (millions of firms are held).
   */
  private readonly firms = new Map<string, Packed>();
  /**
   * Per series the firms with at least one interval in it (whatever the day): what `explain` and
   * `turnover` scan instead of every firm. Holds the firms' own USCC strings (`Packed`'s head).
   * Null for `active_firms`, which counts nearly every held firm: a set there would cost ~30 bytes
   * per firm and scope (measured: ~270 bytes a firm for all series, ~+23% heap) and save nothing,
   * since its explain lists most firms anyway; those two scan every firm.
   */
  private readonly members: readonly (Set<string> | null)[];
  /** Scratch for `setFirmContributions`: per series, 1 = in the old contributions, 2 = in the new. */
  private readonly seen: Uint8Array;

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
    this.members = [...seriesByKey.keys()].map((key) => (key.startsWith(`${UNINDEXED_SERIES}|`) ? null : new Set<string>()));
    this.seen = new Uint8Array(seriesByKey.size);
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
    const previous = this.firms.get(uscc);
    const packed = this.pack(previous?.[0] ?? uscc, intervals); // throws before anything changes
    if (previous !== undefined) this.apply(previous, -1);
    this.apply(packed, +1);
    this.updateMembers(previous, packed);
    if (packed.length > HEAD) this.firms.set(packed[0], packed);
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
    for (let i = HEAD; i < packed.length; i += FIELDS) {
      const to = packed[i + 2] as number;
      out.push({
        key: this.seriesKeys[packed[i] as number]!,
        from: this.firstDay + (packed[i + 1] as number),
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
  seriesCounts(asOf: IsoDate, only?: readonly string[]): Record<string, number> {
    const day = this.dayIndex(asOf);
    const out: Record<string, number> = {};
    if (only !== undefined) {
      // Keys the engine does not know (a zone it has not got) are left out: absent reads as unknown.
      for (const key of only) {
        const s = this.seriesByKey.get(key);
        if (s !== undefined) out[key] = this.forest.prefixSum(s, day);
      }
      return out;
    }
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
   * USCC. Scans the firms that ever contribute to the entry's series, not every firm.
   */
  explain(ref: KpiRef, asOf: IsoDate): ExplainRow[] {
    const day = this.dayIndex(asOf);
    const series = this.explainedSeries(ref);
    const rows: ExplainRow[] = [];
    for (const packed of this.firmsIn(series)) {
      const count = this.intervalsOn(packed, series, day);
      if (count > 0) rows.push({ uscc: packed[0], count });
    }
    return rows.sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
  }

  /**
   * How many firms counted in a KPI entry on `to` were not on `from` (gained), and the reverse
   * (lost); for zone_share the zone's qualified firms, as in `explain`. Equal to comparing the
   * firms of `explain(ref, from)` and `explain(ref, to)`, in O(firms that ever contribute to the
   * series) without listing them. Turnovers of disjoint sets of firms (instances) add up.
   */
  turnover(ref: KpiRef, from: IsoDate, to: IsoDate): Turnover {
    const [a, b] = [this.dayIndex(from), this.dayIndex(to)];
    const series = this.explainedSeries(ref);
    let gained = 0;
    let lost = 0;
    for (const packed of this.firmsIn(series)) {
      const was = this.intervalsOn(packed, series, a) > 0;
      const is = this.intervalsOn(packed, series, b) > 0;
      if (is && !was) gained++;
      else if (was && !is) lost++;
    }
    return { gained, lost };
  }

  /** Firms with at least one interval (on any day) in the series a KPI entry explains: what explain/turnover scan. */
  seriesMemberCount(ref: KpiRef): number {
    return this.members[this.explainedSeries(ref)]?.size ?? this.firms.size;
  }

  /** The packed contributions of the firms that may count in `series`: its members, or every firm where it keeps none. */
  private *firmsIn(series: number): Generator<Packed> {
    const members = this.members[series];
    if (members === null || members === undefined) {
      yield* this.firms.values();
      return;
    }
    for (const uscc of members) yield this.firms.get(uscc)!;
  }

  /** The series whose firms a KPI entry counts (zone_share: the zone's qualified firms). */
  private explainedSeries(ref: KpiRef): number {
    const reading = this.reading(ref);
    return 'series' in reading ? reading.series : reading.numerator;
  }

  /** How many of the firm's intervals in `series` cover day index `day`. */
  private intervalsOn(packed: Packed, series: number, day: number): number {
    let count = 0;
    for (let i = HEAD; i < packed.length; i += FIELDS) {
      if (packed[i] === series && (packed[i + 1] as number) <= day && day < (packed[i + 2] as number)) count++;
    }
    return count;
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

  private pack(uscc: string, intervals: readonly SeriesInterval[]): Packed {
    const packed: [string, ...number[]] = [uscc];
    for (const { key, from, to } of intervals) {
      const series = this.seriesByKey.get(key);
      if (series === undefined) throw new RangeError(`unknown KPI series ${JSON.stringify(key)}`);
      // Clamp to the day range: a fact from before firstDate holds on firstDate; one ending after lastDate is open.
      const start = Math.max(from - this.firstDay, 0);
      const end = Math.min(to - this.firstDay, this.days);
      if (start < end) packed.push(series, start, end);
    }
    // slice(): exactly as long as the contents (push leaves spare capacity).
    return packed.slice() as [string, ...number[]];
  }

  private apply(packed: Packed, sign: 1 | -1): void {
    for (let i = HEAD; i < packed.length; i += FIELDS) {
      const series = packed[i] as number;
      this.forest.add(series, packed[i + 1] as number, sign);
      const end = packed[i + 2] as number;
      if (end < this.days) this.forest.add(series, end, -sign);
    }
  }

  /**
   * Moves the firm between the series' member sets: out of those only the old contributions had,
   * into those only the new ones have; O(the firm's intervals).
   */
  private updateMembers(previous: Packed | undefined, packed: Packed): void {
    const seen = this.seen;
    if (previous !== undefined) for (let i = HEAD; i < previous.length; i += FIELDS) seen[previous[i] as number]! |= 1;
    for (let i = HEAD; i < packed.length; i += FIELDS) seen[packed[i] as number]! |= 2;
    const uscc = packed[0];
    const settle = (series: number): void => {
      const mark = seen[series]!;
      if (mark === 1) this.members[series]?.delete(uscc);
      else if (mark === 2) this.members[series]?.add(uscc);
      seen[series] = 0; // later intervals of the same series find it settled
    };
    if (previous !== undefined) for (let i = HEAD; i < previous.length; i += FIELDS) settle(previous[i] as number);
    for (let i = HEAD; i < packed.length; i += FIELDS) settle(packed[i] as number);
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
