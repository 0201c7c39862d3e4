// The indicator's internal HTTP API (behind the gateway, which checks tokens and roles): every
// request must carry INTERNAL_API_SECRET (packages/http createInternalApp).
import type { Express, Request } from 'express';
import { z } from 'zod';
import {
  asOfDate,
  describeIssues,
  kpiRefOf,
  type KpiQueryLabels,
  explainQuery,
  kpisQuery,
  parseOffsets,
  MAX_WHAT_IF_EVENTS,
  partialActionsQuery,
  partialChangesQuery,
  partialCountsQuery,
  partialDatesQuery,
  partialTurnoverQuery,
  parseOrProblem,
  parseQuery,
  seriesDates,
  whatIfDate,
  seriesQuery,
  type PartialActions,
  type PartialActionsHead,
  type PartialApplied,
  type PartialWhatIf,
  type PartialChanges,
  type PartialDataQuality,
  type PartialTasks,
  type PartialTurnover,
} from '@siliconalley/api';
import { chinaDateOf } from '@siliconalley/contract';
import express from 'express';
import type { AcceptedEvent, FirmEvent } from '@siliconalley/contract';
import { createInternalApp, HttpProblem, type Registry } from '@siliconalley/http';
import { addCounts, firmWhatIfDelta, headOfActionLists, type CountsByDate, type KpiRef } from '@siliconalley/kpi-engine';
import type { Logger } from '@siliconalley/logger';
import type { ChangeLog } from './changes';
import type { PartitionOwnership } from './ownership';
import type { IndicatorState } from './state';

export interface ServerDeps {
  state: IndicatorState;
  logger: Logger;
  registry: Registry;
  now?: () => Date;
  /**
   * The partitions of the accepted topic this instance holds (for the merge across instances), how
   * far each is applied and whether they are replayed (until then answers would be incomplete).
   * Absent for a state rebuilt from the event store: ready, no partitions.
   */
  ownership?: PartitionOwnership;
  /** What was newly applied from which offsets (GET /partial/changes); absent: that route answers 501. */
  changes?: ChangeLog;
  /** INTERNAL_API_SECRET: requests without it are refused (401). */
  internalSecret: string;
}

/** The caller (alerting) validated the events with the contract; this checks only the envelope it relies on. */
const whatIfBody = z
  .object({
    events: z.array(z.looseObject({ type: z.string(), source: z.string(), id: z.string(), subject: z.string() })).max(MAX_WHAT_IF_EVENTS),
    dates: z.array(whatIfDate).min(1).max(400),
    firms: z.enum(['held', 'unheld']).default('held'),
  })
  .strict();

/** `asOf=d1,d2,…` (up to 400 days, each a valid as-of day), duplicates asked once. */
function parseDates(req: Request, now: () => Date): string[] {
  return checkedDates(parseQuery(partialDatesQuery(now), req).asOf, now);
}

function checkedDates(asOf: string, now: () => Date): string[] {
  const dates = [...new Set(asOf.split(','))];
  for (const d of dates) {
    const check = asOfDate(now).safeParse(d);
    if (!check.success) throw new HttpProblem(400, `asOf ${JSON.stringify(d)}: ${describeIssues(check.error)}`);
  }
  return dates;
}

export function createServer(deps: ServerDeps): Express {
  const now = deps.now ?? (() => new Date());
  const today = () => chinaDateOf(now());
  const { state } = deps;
  const zoneIds = new Set(state.zones.zones.map((z) => z.id));

  const refOf = (q: KpiQueryLabels): KpiRef => kpiRefOf(q, [...zoneIds]);

  const isReady = () => deps.ownership?.isReady() ?? true;
  const partitions = () => deps.ownership?.partitions() ?? [];
  const guardReady = () => {
    if (!isReady()) throw new HttpProblem(503, 'the indicator is rebuilding its state; retry in a few seconds', {}, { 'Retry-After': '5' });
  };

  return createInternalApp({ logger: deps.logger, registry: deps.registry, internalSecret: deps.internalSecret }, (app) => {
    app.get('/kpis', (req, res) => {
      guardReady();
      const q = parseQuery(kpisQuery(now), req);
      const asOf = q.asOf ?? today();
      res.json({ asOf, kpis: state.engine.kpis(asOf) });
    });

    app.get('/kpis/series', (req, res) => {
      guardReady();
      const q = parseQuery(seriesQuery(now), req);
      const ref = refOf(q);
      const dates = seriesDates(q);
      res.json({ ...ref, points: dates.map((asOf) => ({ asOf, value: state.engine.value(ref, asOf) })) });
    });

    app.get('/kpis/explain', (req, res) => {
      guardReady();
      const q = parseQuery(explainQuery(now), req);
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
      const q = parseQuery(partialCountsQuery(now), req);
      const dates = checkedDates(q.asOf, now);
      const only = q.series === undefined ? undefined : [...new Set(q.series.split(','))];
      res.json({
        zoneIds: state.zones.zoneIds,
        partitions: partitions(),
        counts: Object.fromEntries(dates.map((d) => [d, state.engine.seriesCounts(d, only)])),
      });
    });

    app.get('/partial/explain', (req, res) => {
      guardReady();
      const q = parseQuery(explainQuery(now), req);
      const ref = refOf(q);
      const asOf = q.asOf ?? today();
      res.json({
        asOf,
        partitions: partitions(),
        firms: state.engine.explain(ref, asOf).map((r) => ({ uscc: r.uscc, name: state.firmName(r.uscc), count: r.count })),
      });
    });

    // How many of the firms held here a KPI entry gains and loses between two days (they add up
    // across instances): O(the firms that ever count in the entry's series), no firm listed.
    app.get('/partial/turnover', (req, res) => {
      guardReady();
      const q = parseQuery(partialTurnoverQuery(now), req);
      const ref = refOf(q);
      const body: PartialTurnover = { partitions: partitions(), from: q.from, to: q.to, ...state.engine.turnover(ref, q.from, q.to) };
      res.json(body);
    });

    // What alerting and the gateway would otherwise scan the event store for.
    app.get('/partial/tasks', (_req, res) => {
      guardReady();
      const body: PartialTasks = { partitions: partitions(), reports: state.taskReports() };
      res.json(body);
    });

    // Not guarded: during a replay the offsets are how a caller sees the lag.
    app.get('/partial/applied', (_req, res) => {
      const body: PartialApplied = { partitions: partitions(), ready: isReady(), applied: deps.ownership?.appliedOffsets() ?? {} };
      res.json(body);
    });

    app.get('/partial/changes', (req, res) => {
      guardReady();
      const q = parseQuery(partialChangesQuery(), req);
      if (!deps.changes) throw new HttpProblem(501, 'this indicator does not track changes (its state was rebuilt from the event store)');
      let since: Map<number, bigint>;
      try {
        since = parseOffsets(q.since);
      } catch (err) {
        throw new HttpProblem(400, `since: ${(err as Error).message}`);
      }
      const body: PartialChanges = { partitions: partitions(), ...deps.changes.since(since) };
      res.json(body);
    });

    // A maintained count: O(dates · log days).
    app.get('/partial/data-quality', (req, res) => {
      guardReady();
      const dates = parseDates(req, now);
      const body: PartialDataQuality = {
        partitions: partitions(),
        certificatesWithoutKnownFirm: Object.fromEntries(dates.map((d) => [d, state.certificatesWithoutFirm.countOn(d)])),
      };
      res.json(body);
    });

    // kpis.md "Action lists" over the candidate firms held here (alerting merges instances). With
    // `limit`: the first `limit` entries of each list and the whole lengths, so the answer is
    // O(limit) however long the lists (a city's relocation candidates run to ~10^5).
    app.get('/partial/actions', (req, res) => {
      guardReady();
      const q = parseQuery(partialActionsQuery(now), req);
      if (!zoneIds.has(q.zone)) throw new HttpProblem(400, `zone ${JSON.stringify(q.zone)} is not in the zone file (zones: ${[...zoneIds].join(', ')})`);
      const lists = state.actionLists({ zoneId: q.zone, asOf: q.asOf, within: q.within });
      const body: PartialActions | PartialActionsHead = { partitions: partitions(), ...(q.limit === undefined ? lists : headOfActionLists(lists, q.limit)) };
      res.json(body);
    });

    // What-if (kpis.md): stored counts on each date, and what the hypothetical events change for the
    // firms held here; nothing is applied. O(events of the touched firms × dates). With
    // `firms: "unheld"` (asked of one instance, for firms no instance holds): each firm from its
    // hypothetical events alone, derived with this instance's zones.
    app.post('/partial/what-if', express.json({ limit: '64mb' }), (req, res) => {
      guardReady();
      const body = parseOrProblem(whatIfBody, req.body);
      const { dates, firms } = body;
      const events = body.events as unknown as AcceptedEvent[];
      const duplicates: number[] = [];
      const byFirm = new Map<string, FirmEvent[]>();
      events.forEach((event, index) => {
        if (firms === 'held' && state.holdsEvent(event.subject, event.source, event.id)) duplicates.push(index);
        else if (event.type !== 'task.progress.reported' && (firms === 'unheld' || state.holdsFirm(event.subject))) {
          const own = byFirm.get(event.subject);
          if (own) own.push(event);
          else byFirm.set(event.subject, [event]);
        }
      });
      const deltas: CountsByDate = {};
      for (const [uscc, hypothetical] of byFirm) {
        const stored = firms === 'held' ? state.firmEvents(uscc) : [];
        addCounts(deltas, firmWhatIfDelta(stored, hypothetical, state.zones, dates));
      }
      const answer: PartialWhatIf = {
        partitions: partitions(),
        zoneIds: state.zones.zoneIds as string[],
        counts: firms === 'held' ? Object.fromEntries(dates.map((d) => [d, state.engine.seriesCounts(d)])) : {},
        deltas,
        held: firms === 'held' ? [...byFirm.keys()] : [],
        duplicates,
      };
      res.json(answer);
    });

    app.get('/state', (_req, res) => {
      res.json({ firms: state.firmCount, applied: state.applied, newestEventTime: state.newestEventTime, lastAppliedAt: state.lastAppliedAt });
    });
  });
}
