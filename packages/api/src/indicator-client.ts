// Reads of the indicator's internal partial API when one or several instances share the accepted
// topic's partitions: each holds the firms of its partitions, so a reader asks all of them and
// merges — series counts add up. Used by the gateway (KPI routes) and the alerting service.
import { eventIdentity, type TaskProgressReported } from '@siliconalley/contract';
import { HttpProblem, internalAuthHeaders } from '@siliconalley/http';
import {
  addCounts,
  compareTimeThenId,
  mergeActionListHeads,
  mergeActionLists,
  type ActionLists,
  type ActionListsHead,
  type CountsByDate,
} from '@siliconalley/kpi-engine';
import type { PartialActions, PartialActionsHead, PartialWhatIf, PartialWhatIfRequest } from './actions';
import {
  ChangeGroupSum,
  formatOffsets,
  type Changes,
  type PartialApplied,
  type PartialChanges,
  type PartialDataQuality,
  type PartialTasks,
} from './indicator-partials';

export interface PartialCounts {
  zoneIds: string[];
  partitions: number[];
  counts: Record<string, Record<string, number>>;
}

export interface PartialExplain {
  partitions: number[];
  firms: { uscc: string; name: string | null; count: number }[];
}

/**
 * GET /partial/turnover: how many of the instance's firms a KPI entry counts on `to` and not on
 * `from` (gained), and the reverse (lost). Instances hold disjoint firms: the numbers add up.
 */
export interface PartialTurnover {
  partitions: number[];
  from: string;
  to: string;
  gained: number;
  lost: number;
}

export interface MergedCounts {
  zoneIds: string[];
  /** Series counts (kpi-engine `seriesCounts`) summed over instances, per asked date. */
  byDate: Map<string, Record<string, number>>;
}

/** Dates per request to an instance (keeps query strings short). */
const DATES_PER_REQUEST = 400;

/** Some instance holds a partition and none is held twice (else: a rebalance is under way). */
function heldExactlyOnce(answers: readonly { partitions: number[] }[]): boolean {
  const held = answers.flatMap((a) => a.partitions);
  return held.length > 0 && new Set(held).size === held.length;
}

export interface IndicatorClientOptions {
  /** INTERNAL_API_SECRET, sent with every request (the indicator refuses requests without it). */
  secret?: string;
  timeoutMs?: number;
}

export class IndicatorClient {
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(
    readonly urls: readonly string[],
    opts: IndicatorClientOptions = {},
  ) {
    if (urls.length === 0) throw new Error('IndicatorClient needs at least one indicator URL');
    this.timeoutMs = opts.timeoutMs ?? 30000;
    this.headers = internalAuthHeaders(opts.secret);
  }

  /**
   * GET `path` on every instance; 503 HttpProblem (Retry-After 5) when one is unavailable or not
   * ready, or (unless `partitionsExactlyOnce` is false) when the instances do not hold every
   * partition exactly once (rebalancing).
   */
  async getAll<T extends { partitions: number[] }>(path: string, query: Record<string, string>, opts: { partitionsExactlyOnce?: boolean } = {}): Promise<T[]> {
    const qs = new URLSearchParams(query).toString();
    return this.askAll<T>(qs ? `${path}?${qs}` : path, { headers: this.headers }, opts);
  }

  /** POST a JSON body to `path` on every instance; errors as for `getAll`. */
  async postAll<T extends { partitions: number[] }>(
    path: string,
    body: unknown,
    opts: { partitionsExactlyOnce?: boolean; urls?: readonly string[] } = {},
  ): Promise<T[]> {
    return this.askAll<T>(path, { method: 'POST', headers: { ...this.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, opts);
  }

  private async askAll<T extends { partitions: number[] }>(
    pathAndQuery: string,
    init: RequestInit,
    opts: { partitionsExactlyOnce?: boolean; urls?: readonly string[] } = {},
  ): Promise<T[]> {
    const answers = await Promise.all(
      (opts.urls ?? this.urls).map(async (url) => {
        let res: Response;
        try {
          res = await fetch(`${url}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        } catch {
          throw new HttpProblem(503, 'an indicator instance is unavailable; retry shortly', {}, { 'Retry-After': '5' });
        }
        const body = (await res.json().catch(() => ({}))) as T & { detail?: string };
        if (res.status === 503) throw new HttpProblem(503, body.detail ?? 'an indicator instance is not ready', {}, { 'Retry-After': '5' });
        // The indicator refused our INTERNAL_API_SECRET: a configuration fault here, not the caller's.
        if (res.status === 401)
          throw new HttpProblem(502, "the indicator refused this service's internal credential (INTERNAL_API_SECRET differs); tell an operator");
        if (!res.ok) throw new HttpProblem(res.status, body.detail ?? `indicator answered ${res.status}`);
        return body;
      }),
    );
    // Every partition must be held by exactly one instance, or the sum would miss or double firms.
    if ((opts.partitionsExactlyOnce ?? true) && !heldExactlyOnce(answers)) {
      throw new HttpProblem(503, 'the indicator instances are rebalancing their partitions; retry shortly', {}, { 'Retry-After': '5' });
    }
    return answers;
  }

  /**
   * A zone's action lists (kpis.md) over the firms of every instance, merged in the lists' order.
   * With `limit`: each instance answers the first `limit` entries of each list and its lengths; the
   * answer is the first `limit` of the merged lists and the summed lengths — O(instances × limit),
   * whatever the lists' lengths.
   */
  async actions(zone: string, asOf: string, within: number): Promise<ActionLists>;
  async actions(zone: string, asOf: string, within: number, limit: number): Promise<ActionListsHead>;
  async actions(zone: string, asOf: string, within: number, limit?: number): Promise<ActionLists | ActionListsHead> {
    const query = { zone, asOf, within: String(within) };
    if (limit === undefined) return mergeActionLists(await this.getAll<PartialActions>('/partial/actions', query));
    return mergeActionListHeads(await this.getAll<PartialActionsHead>('/partial/actions', { ...query, limit: String(limit) }), limit);
  }

  /**
   * Stored series counts on `dates` plus, separately, what the hypothetical `events` (accepted, free
   * of duplicates among themselves) change: each instance re-derives the firms it holds with their
   * stored events; then one instance derives the firms nobody holds from their events alone.
   * `duplicates`: indexes of events with the (source, id) of a stored one (they change nothing).
   */
  async whatIf(
    events: readonly { type: string; subject: string }[],
    dates: readonly string[],
  ): Promise<{ zoneIds: string[]; counts: CountsByDate; deltas: CountsByDate; duplicates: Set<number> }> {
    const unique = [...new Set(dates)];
    const request: PartialWhatIfRequest = { events: [...events], dates: unique, firms: 'held' };
    const answers = await this.postAll<PartialWhatIf>('/partial/what-if', request);
    const counts: CountsByDate = {};
    const deltas: CountsByDate = {};
    for (const a of answers) {
      addCounts(counts, a.counts);
      addCounts(deltas, a.deltas);
    }
    const held = new Set(answers.flatMap((a) => a.held));
    const duplicates = new Set(answers.flatMap((a) => a.duplicates));
    const unheld = events.filter((e, i) => !duplicates.has(i) && e.type !== 'task.progress.reported' && !held.has(e.subject));
    if (unheld.length > 0) {
      const newFirms: PartialWhatIfRequest = { events: unheld, dates: unique, firms: 'unheld' };
      const [first] = await this.postAll<PartialWhatIf>('/partial/what-if', newFirms, { urls: [this.urls[0]!], partitionsExactlyOnce: false });
      addCounts(deltas, first!.deltas);
    }
    return { zoneIds: answers[0]!.zoneIds, counts, deltas, duplicates };
  }

  /**
   * Series counts summed over instances, per date (duplicates asked once); with `series` (kpi-engine
   * series keys) only those, the ones a series the instances do not know left out.
   */
  async counts(dates: readonly string[], series?: readonly string[]): Promise<MergedCounts> {
    const unique = [...new Set(dates)];
    const byDate = new Map<string, Record<string, number>>(unique.map((d) => [d, {}]));
    let zoneIds: string[] = [];
    const only: Record<string, string> = series === undefined ? {} : { series: [...new Set(series)].join(',') };
    for (let i = 0; i < unique.length; i += DATES_PER_REQUEST) {
      const slice = unique.slice(i, i + DATES_PER_REQUEST);
      const answers = await this.getAll<PartialCounts>('/partial/counts', { asOf: slice.join(','), ...only });
      zoneIds = answers[0]!.zoneIds;
      for (const a of answers) {
        for (const [d, counts] of Object.entries(a.counts)) {
          const sum = byDate.get(d);
          if (!sum) continue;
          for (const [k, n] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + n;
        }
      }
    }
    return { zoneIds, byDate };
  }

  /**
   * The firms behind one KPI entry on `asOf` (GET /partial/explain), the union over instances sorted
   * by USCC. `query` holds the entry's labels as strings (id, scope, kind, industry, within).
   */
  async explain(query: Readonly<Record<string, string>>, asOf: string): Promise<PartialExplain['firms']> {
    const answers = await this.getAll<PartialExplain>('/partial/explain', { ...query, asOf });
    return answers.flatMap((a) => a.firms).sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
  }

  /**
   * The firm turnover of one KPI entry between two days (GET /partial/turnover), summed over
   * instances: firms it counts on `to` and not on `from` (gained), and the reverse (lost). The same
   * numbers as comparing the firm lists of `explain` on both days, without listing the firms.
   */
  async turnover(query: Readonly<Record<string, string>>, from: string, to: string): Promise<{ gained: number; lost: number }> {
    const answers = await this.getAll<PartialTurnover>('/partial/turnover', { ...query, from, to });
    let gained = 0;
    let lost = 0;
    for (const a of answers) {
      gained += a.gained;
      lost += a.lost;
    }
    return { gained, lost };
  }

  /**
   * Every task-progress report the instances hold (GET /partial/tasks), deduplicated by (source, id)
   * and ordered by time then id (taskStatusOn does not need an order; callers get a stable one).
   */
  async taskReports(): Promise<TaskProgressReported[]> {
    const answers = await this.getAll<PartialTasks>('/partial/tasks', {});
    const byKey = new Map<string, TaskProgressReported>();
    for (const a of answers) for (const r of a.reports) byKey.set(eventIdentity(r), r);
    return [...byKey.values()].sort(compareTimeThenId);
  }

  /**
   * How far the instances have applied the accepted topic (GET /partial/applied): per partition,
   * the next offset to apply. Answers during a replay or a rebalance too (to compute lag), with
   * `ready` false; `ready` is true only when every instance is ready and every partition is held
   * exactly once. A partition held by two instances (mid-rebalance) shows the lower offset: what
   * not every holder has applied yet is not applied. An unreachable instance is a 503.
   */
  async applied(): Promise<{ ready: boolean; offsets: Record<string, string> }> {
    const answers = await this.getAll<PartialApplied>('/partial/applied', {}, { partitionsExactlyOnce: false });
    const offsets = new Map<string, bigint>();
    for (const a of answers) {
      for (const [p, o] of Object.entries(a.applied)) {
        const next = BigInt(o);
        const known = offsets.get(p);
        if (known === undefined || next < known) offsets.set(p, next);
      }
    }
    return {
      ready: answers.every((a) => a.ready) && heldExactlyOnce(answers),
      offsets: Object.fromEntries([...offsets].sort(([a], [b]) => Number(a) - Number(b)).map(([p, o]) => [p, o.toString()])),
    };
  }

  /**
   * The events the instances applied for the first time from records at or after `offsets`
   * (partition → offset, as `applied()` returns them; a partition not listed: from its start),
   * grouped by (type, source, effective month), summed over instances and sorted by type, source,
   * month. May include somewhat earlier records too (the indicator keeps them in blocks): an extra
   * re-check at worst, never a missed one.
   */
  async changesSince(offsets: Readonly<Record<string, string>>): Promise<Changes> {
    const since = formatOffsets(offsets);
    const answers = await this.getAll<PartialChanges>('/partial/changes', since ? { since } : {});
    const sum = new ChangeGroupSum();
    for (const a of answers) sum.addAll(a);
    return sum.result();
  }

  /** Certificates whose firm is unknown on each date (GET /partial/data-quality), summed over instances. */
  async certificatesWithoutFirm(dates: readonly string[]): Promise<Record<string, number>> {
    const unique = [...new Set(dates)];
    const byDate = new Map<string, number>(unique.map((d) => [d, 0]));
    for (let i = 0; i < unique.length; i += DATES_PER_REQUEST) {
      const slice = unique.slice(i, i + DATES_PER_REQUEST);
      const answers = await this.getAll<PartialDataQuality>('/partial/data-quality', { asOf: slice.join(',') });
      for (const a of answers) {
        for (const d of slice) if (Object.hasOwn(a.certificatesWithoutKnownFirm, d)) byDate.set(d, byDate.get(d)! + a.certificatesWithoutKnownFirm[d]!);
      }
    }
    return Object.fromEntries(byDate);
  }
}
