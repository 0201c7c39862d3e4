// Reads of KPIs when several indicator instances share the accepted topic's partitions: each holds
// the firms of its partitions, so the gateway asks all of them and merges — series counts add up,
// firm lists union — then composes the KPI entries exactly as one instance would.
import type { RequestHandler } from 'express';
import {
  explainQuery,
  IndicatorClient,
  kpiRefOf,
  kpisQuery,
  parseQuery,
  seriesDates,
  seriesQuery,
  type KpiQueryLabels,
  type MergedCounts,
  type PartialExplain,
} from '@siliconalley/api';
import { chinaDateOf } from '@siliconalley/contract';
import { HttpProblem } from '@siliconalley/http';
import { composeKpis, composeKpiValue, type KpiRef } from '@siliconalley/kpi-engine';

export class IndicatorFleet {
  private readonly client: IndicatorClient;

  constructor(
    readonly urls: string[],
    /** INTERNAL_API_SECRET, sent with every request to the instances. */
    secret: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.client = new IndicatorClient(urls, { secret });
  }

  /** Series counts summed over instances, per date. */
  counts(dates: string[]): Promise<MergedCounts> {
    return this.client.counts(dates);
  }

  private refOf(q: KpiQueryLabels, zoneIds: string[]): KpiRef {
    return kpiRefOf(q, zoneIds);
  }

  kpis(): RequestHandler {
    return (req, res, next) => {
      const q = parseQuery(kpisQuery(this.now), req);
      const asOf = q.asOf ?? chinaDateOf(this.now());
      this.counts([asOf])
        .then(({ zoneIds, byDate }) => res.json({ asOf, kpis: composeKpis(zoneIds, byDate.get(asOf)!) }))
        .catch(next);
    };
  }

  series(): RequestHandler {
    return (req, res, next) => {
      const q = parseQuery(seriesQuery(this.now), req);
      const dates = seriesDates(q);
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
      const q = parseQuery(explainQuery(this.now), req);
      if (q.id === 'zone_share') throw new HttpProblem(400, 'zone_share is a ratio: explain qualified_firms for the zone and for the district instead');
      const asOf = q.asOf ?? chinaDateOf(this.now());
      const query: Record<string, string> = { id: q.id, scope: q.scope, asOf };
      if (q.kind) query.kind = q.kind;
      if (q.industry) query.industry = q.industry;
      if (q.within) query.within = q.within;
      Promise.all([this.client.getAll<PartialExplain>('/partial/explain', query), this.counts([asOf])])
        .then(([answers, { zoneIds, byDate }]) => {
          const ref = this.refOf(q, zoneIds);
          const firms = answers.flatMap((a) => a.firms).sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
          res.json({ asOf, ...ref, value: composeKpiValue(ref, byDate.get(asOf)!), firms });
        })
        .catch(next);
    };
  }
}
