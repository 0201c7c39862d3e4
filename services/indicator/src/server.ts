// The indicator's internal HTTP API (behind the gateway, which checks tokens and roles).
import type { Express, Request } from 'express';
import { z } from 'zod';
import { asOfDate, describeIssues, kpiRefOf, type KpiQueryLabels, explainQuery, kpisQuery, partialCountsQuery, seriesQuery } from '@siliconalley/api';
import { addDays, chinaDateOf, monthEndsBetween } from '@siliconalley/contract';
import { createHttpApp, HttpProblem, type Registry } from '@siliconalley/http';
import type { KpiRef } from '@siliconalley/kpi-engine';
import type { Logger } from '@siliconalley/logger';
import type { IndicatorState } from './state';

export interface ServerDeps {
  state: IndicatorState;
  logger: Logger;
  registry: Registry;
  now?: () => Date;
  /** False until the owned partitions are replayed: answers would be incomplete. */
  isReady?: () => boolean;
  /** Partitions of the accepted topic this instance holds (for the gateway's merge across instances). */
  ownedPartitions?: () => number[];
}

const MAX_DAILY_POINTS = 3660;

function parse<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.query);
  if (!result.success) throw new HttpProblem(400, describeIssues(result.error));
  return result.data;
}

export function createServer(deps: ServerDeps): Express {
  const now = deps.now ?? (() => new Date());
  const today = () => chinaDateOf(now());
  const { state } = deps;
  const zoneIds = new Set(state.zones.zones.map((z) => z.id));

  const refOf = (q: KpiQueryLabels): KpiRef => kpiRefOf(q, [...zoneIds]);

  const guardReady = () => {
    if (deps.isReady && !deps.isReady()) throw new HttpProblem(503, 'the indicator is rebuilding its state; retry in a few seconds', {}, { 'Retry-After': '5' });
  };

  return createHttpApp({ logger: deps.logger, registry: deps.registry }, (app) => {
    app.get('/kpis', (req, res) => {
      guardReady();
      const q = parse(kpisQuery(now), req);
      const asOf = q.asOf ?? today();
      res.json({ asOf, kpis: state.engine.kpis(asOf) });
    });

    app.get('/kpis/series', (req, res) => {
      guardReady();
      const q = parse(seriesQuery(now), req);
      const ref = refOf(q);
      let dates: string[];
      if (q.step === 'month') {
        dates = monthEndsBetween(q.from, q.to);
      } else {
        dates = [];
        for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
          dates.push(d);
          if (dates.length > MAX_DAILY_POINTS) throw new HttpProblem(400, `step=day allows at most ${MAX_DAILY_POINTS} points: narrow from/to or use step=month`);
        }
      }
      res.json({ ...ref, points: dates.map((asOf) => ({ asOf, value: state.engine.value(ref, asOf) })) });
    });

    app.get('/kpis/explain', (req, res) => {
      guardReady();
      const q = parse(explainQuery(now), req);
      const ref = refOf(q);
      const asOf = q.asOf ?? today();
      if (ref.id === 'zone_share') {
        throw new HttpProblem(400, 'zone_share is a ratio: explain qualified_firms for the zone and for the district instead');
      }
      const rows = state.engine.explain(ref, asOf);
      res.json({
        asOf,
        ...ref,
        value: state.engine.value(ref, asOf),
        firms: rows.map((r) => ({ uscc: r.uscc, name: state.firmName(r.uscc), count: r.count })),
      });
    });

    // Partial answers for the gateway when several instances share the partitions: raw series
    // counts (they add up across instances) and the firms behind a value (they union).
    app.get('/partial/counts', (req, res) => {
      guardReady();
      const q = parse(partialCountsQuery(now), req);
      const dates = [...new Set(q.asOf.split(','))];
      for (const d of dates) {
        const check = asOfDate(now).safeParse(d);
        if (!check.success) throw new HttpProblem(400, `asOf ${JSON.stringify(d)}: ${describeIssues(check.error)}`);
      }
      res.json({
        zoneIds: state.zones.zoneIds,
        partitions: deps.ownedPartitions?.() ?? [],
        counts: Object.fromEntries(dates.map((d) => [d, state.engine.seriesCounts(d)])),
      });
    });

    app.get('/partial/explain', (req, res) => {
      guardReady();
      const q = parse(explainQuery(now), req);
      const ref = refOf(q);
      const asOf = q.asOf ?? today();
      res.json({ asOf, partitions: deps.ownedPartitions?.() ?? [], firms: state.engine.explain(ref, asOf).map((r) => ({ uscc: r.uscc, name: state.firmName(r.uscc), count: r.count })) });
    });

    app.get('/state', (_req, res) => {
      res.json({ firms: state.firmCount, applied: state.applied, newestEventTime: state.newestEventTime, lastAppliedAt: state.lastAppliedAt });
    });
  });
}
