// Reads of the indicator's internal partial API when one or several instances share the accepted
// topic's partitions: each holds the firms of its partitions, so a reader asks all of them and
// merges — series counts add up. Used by the gateway (KPI routes) and the alerting service.
import { HttpProblem } from '@siliconalley/http';

export interface PartialCounts {
  zoneIds: string[];
  partitions: number[];
  counts: Record<string, Record<string, number>>;
}

export interface PartialExplain {
  partitions: number[];
  firms: { uscc: string; name: string | null; count: number }[];
}

export interface MergedCounts {
  zoneIds: string[];
  /** Series counts (kpi-engine `seriesCounts`) summed over instances, per asked date. */
  byDate: Map<string, Record<string, number>>;
}

/** Dates per request to an instance (keeps query strings short). */
const DATES_PER_REQUEST = 400;

export class IndicatorClient {
  constructor(
    readonly urls: readonly string[],
    private readonly timeoutMs = 30000,
  ) {
    if (urls.length === 0) throw new Error('IndicatorClient needs at least one indicator URL');
  }

  /**
   * GET `path` on every instance; 503 HttpProblem (Retry-After 5) when one is unavailable or not
   * ready, or when the instances do not hold every partition exactly once (rebalancing).
   */
  async getAll<T extends { partitions: number[] }>(path: string, query: Record<string, string>): Promise<T[]> {
    const qs = new URLSearchParams(query).toString();
    const answers = await Promise.all(
      this.urls.map(async (url) => {
        let res: Response;
        try {
          res = await fetch(`${url}${path}?${qs}`, { signal: AbortSignal.timeout(this.timeoutMs) });
        } catch {
          throw new HttpProblem(503, 'an indicator instance is unavailable; retry shortly', {}, { 'Retry-After': '5' });
        }
        const body = (await res.json().catch(() => ({}))) as T & { detail?: string };
        if (res.status === 503) throw new HttpProblem(503, body.detail ?? 'an indicator instance is not ready', {}, { 'Retry-After': '5' });
        if (!res.ok) throw new HttpProblem(res.status, body.detail ?? `indicator answered ${res.status}`);
        return body;
      }),
    );
    // Every partition must be held by exactly one instance, or the sum would miss or double firms.
    const held = answers.flatMap((a) => a.partitions);
    if (new Set(held).size !== held.length || held.length === 0) {
      throw new HttpProblem(503, 'the indicator instances are rebalancing their partitions; retry shortly', {}, { 'Retry-After': '5' });
    }
    return answers;
  }

  /** Series counts summed over instances, per date (duplicates asked once). */
  async counts(dates: readonly string[]): Promise<MergedCounts> {
    const unique = [...new Set(dates)];
    const byDate = new Map<string, Record<string, number>>(unique.map((d) => [d, {}]));
    let zoneIds: string[] = [];
    for (let i = 0; i < unique.length; i += DATES_PER_REQUEST) {
      const slice = unique.slice(i, i + DATES_PER_REQUEST);
      const answers = await this.getAll<PartialCounts>('/partial/counts', { asOf: slice.join(',') });
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
}
