// Reads of KPIs when several indicator instances share the accepted topic's partitions: each holds
// the firms of its partitions, so the gateway asks all of them and merges — series counts add up,
// firm lists union — then composes the KPI entries exactly as one instance would.
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { describeIssues, explainQuery, kpisQuery, seriesQuery } from '@siliconalley/api';
import { addDays, chinaDateOf, monthEndsBetween } from '@siliconalley/contract';
import { HttpProblem } from '@siliconalley/http';
import { composeKpis, composeKpiValue, kpiCatalogue, seriesKey, type KpiRef } from '@siliconalley/kpi-engine';

interface PartialCounts {
  zoneIds: string[];
  partitions: number[];
  counts: Record<string, Record<string, number>>;
}

interface PartialExplain {
  partitions: number[];
  firms: { uscc: string; name: string | null; count: number }[];
}

const MAX_DAILY_POINTS = 3660;

function parse<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.query);
  if (!result.success) throw new HttpProblem(400, describeIssues(result.error));
  return result.data;
}

export class IndicatorFleet {
  constructor(
    readonly urls: string[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async getAll<T extends { partitions: number[] }>(path: string, query: Record<string, string>): Promise<T[]> {
    const qs = new URLSearchParams(query).toString();
    const answers = await Promise.all(
      this.urls.map(async (url) => {
        let res: Response;
        try {
          res = await fetch(`${url}${path}?${qs}`, { signal: AbortSignal.timeout(30000) });
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

  /** Series counts summed over instances, per date. */
  async counts(dates: string[]): Promise<{ zoneIds: string[]; byDate: Map<string, Record<string, number>> }> {
    const byDate = new Map<string, Record<string, number>>(dates.map((d) => [d, {}]));
    let zoneIds: string[] = [];
    for (let i = 0; i < dates.length; i += 400) {
      const slice = dates.slice(i, i + 400);
      const answers = await this.getAll<PartialCounts>('/partial/counts', { asOf: slice.join(',') });
      zoneIds = answers[0]!.zoneIds;
      for (const a of answers) {
        for (const [d, counts] of Object.entries(a.counts)) {
          const sum = byDate.get(d)!;
          for (const [k, n] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + n;
        }
      }
    }
    return { zoneIds, byDate };
  }

  private refOf(q: { id: KpiRef['id']; scope: string; kind?: string; industry?: string; within?: string }, zoneIds: string[]): KpiRef {
    const ref = {
      id: q.id,
      scope: q.scope,
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.industry ? { industry: q.industry } : {}),
      ...(q.within ? { within: Number(q.within) } : {}),
    } as KpiRef;
    if (!new Set(kpiCatalogue(zoneIds).map(seriesKey)).has(seriesKey(ref))) {
      throw new HttpProblem(400, `no KPI entry ${JSON.stringify(ref)}: see GET /api/v1/kpis for the id × label combinations`);
    }
    return ref;
  }

  kpis(): RequestHandler {
    return (req, res, next) => {
      const q = parse(kpisQuery(this.now), req);
      const asOf = q.asOf ?? chinaDateOf(this.now());
      this.counts([asOf])
        .then(({ zoneIds, byDate }) => res.json({ asOf, kpis: composeKpis(zoneIds, byDate.get(asOf)!) }))
        .catch(next);
    };
  }

  series(): RequestHandler {
    return (req, res, next) => {
      const q = parse(seriesQuery(this.now), req);
      let dates: string[];
      if (q.step === 'month') dates = monthEndsBetween(q.from, q.to);
      else {
        dates = [];
        for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
          dates.push(d);
          if (dates.length > MAX_DAILY_POINTS) throw new HttpProblem(400, `step=day allows at most ${MAX_DAILY_POINTS} points: narrow from/to or use step=month`);
        }
      }
      this.counts(dates)
        .then(({ zoneIds, byDate }) => {
          const ref = this.refOf(q, zoneIds);
          res.json({ ...ref, points: dates.map((asOf) => ({ asOf, value: composeKpiValue(ref, byDate.get(asOf)!) })) });
        })
        .catch(next);
    };
  }

  explain(): RequestHandler {
    return (req, res, next) => {
      const q = parse(explainQuery(this.now), req);
      if (q.id === 'zone_share') throw new HttpProblem(400, 'zone_share is a ratio: explain qualified_firms for the zone and for the district instead');
      const asOf = q.asOf ?? chinaDateOf(this.now());
      const query: Record<string, string> = { id: q.id, scope: q.scope, asOf };
      if (q.kind) query.kind = q.kind;
      if (q.industry) query.industry = q.industry;
      if (q.within) query.within = q.within;
      Promise.all([this.getAll<PartialExplain>('/partial/explain', query), this.counts([asOf])])
        .then(([answers, { zoneIds, byDate }]) => {
          const ref = this.refOf(q, zoneIds);
          const firms = answers.flatMap((a) => a.firms).sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
          res.json({ asOf, ...ref, value: composeKpiValue(ref, byDate.get(asOf)!), firms });
        })
        .catch(next);
    };
  }
}
