// The evaluator and the gauges on the fixture, with KPI counts from the real KPI engine (what an
// indicator instance serves on /partial/counts) and task reports from the fixture's accepted events.
import request from 'supertest';
import { groupEventsByFirm, KpiEngine, kpiCatalogue, type KpiRef } from '@siliconalley/kpi-engine';
import { createMetricsRegistry, createOpsApp } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import type { TaskReport } from '@siliconalley/plan';
import { DEFAULT_TARGETS, firmChanges, TARGET_STATUSES } from '@siliconalley/targets';
import { acceptedFixtureEvents, loadExpected, promtoolCheckMetrics } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { Evaluator, indicatorSeriesFor, type CountsSource, type TaskReportSource } from '../../src/evaluate';
import { alertingMetrics, recordTargets, recordTasks } from '../../src/metrics';

const expected = loadExpected('small');
const zones = defaultZoneRegistry();
const events = acceptedFixtureEvents('small');
const engine = new KpiEngine(zones);
for (const [uscc, firmEvents] of groupEventsByFirm(events)) engine.setFirmEvents(uscc, firmEvents);

/** What one indicator instance holding every partition answers, with the dates it was asked. */
const asked: string[][] = [];
/** The series each counts call asked for (undefined: every series). */
const askedSeries: (readonly string[] | undefined)[] = [];
const counts: CountsSource = {
  counts: async (dates, series) => {
    asked.push([...dates]);
    askedSeries.push(series);
    return { zoneIds: [...zones.zoneIds], byDate: new Map(dates.map((d) => [d, engine.seriesCounts(d, series)])) };
  },
};
const reports = events.filter((e) => e.type === 'task.progress.reported') as unknown as TaskReport[];
const tasks: TaskReportSource = { reports: async () => reports };
const evaluator = new Evaluator(counts, tasks, DEFAULT_TARGETS, () => new Date('2026-11-26T04:00:00Z'));

const close = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' ? a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) : a === b;

describe('Evaluator on the fixture', () => {
  it.each(Object.keys(expected.targets))('as of %s: the fixture targets and tasksCompleted, in one counts call for their series only', async (asOf) => {
    asked.length = 0;
    askedSeries.length = 0;
    const judged = await evaluator.targets(asOf);
    expect(asked).toHaveLength(1);
    // Only what the targets read (zone_share: two series), not the catalogue's every series.
    expect(askedSeries[0]).toEqual(indicatorSeriesFor(DEFAULT_TARGETS));
    expect(askedSeries[0]!.length).toBeLessThan(kpiCatalogue(zones.zoneIds).length / 4);
    for (const wanted of expected.targets[asOf]!) {
      const j = judged.find((t) => t.id === wanted.id) as unknown as Record<string, unknown>;
      for (const [field, value] of Object.entries(wanted)) {
        if (field === 'firmsNeeded') expect(j.firmsNeeded).toEqual(value);
        else expect({ field, ok: close(j[field], value) }).toEqual({ field, ok: true });
      }
    }
    expect(judged.find((t) => t.id === 'TASKS_COMPLETED')!.actual).toBe(expected.tasksCompleted[asOf]);
  });

  it('lists the 34 tasks with departments and a scorecard per department', async () => {
    const list = await evaluator.tasksOn('2026-10-31');
    expect(list).toHaveLength(34);
    expect(list.filter((t) => t.status === 'completed')).toHaveLength(expected.tasksCompleted['2026-10-31']!);
    const scorecard = await evaluator.departments('2026-10-31');
    expect(scorecard.reduce((n, d) => n + d.ledTaskIds.length, 0)).toBeGreaterThanOrEqual(34);
  });
});

describe('gauges', () => {
  it('exports the target and task gauges, passing promtool check metrics', async () => {
    const registry = createMetricsRegistry('alerting-test');
    const metrics = alertingMetrics(registry);
    const asOf = '2026-10-31';
    const judged = await evaluator.targets(asOf);
    recordTargets(metrics, judged, (id) => id === 'T6_ZONE_SHARE');
    recordTasks(metrics, await evaluator.tasksOn(asOf));
    const ops = createOpsApp({ logger: createLogger('test', 'silent'), registry, readiness: {} });
    const exposition = (await request(ops).get('/metrics').expect(200)).text;
    expect(promtoolCheckMetrics(exposition)).toEqual([]);
    // Without the registry's default `service` label, for readable expectations.
    const text = exposition.replace(/\{service="alerting-test"\}/g, '').replace(/,service="alerting-test"\}/g, '}');

    const t6 = judged.find((t) => t.id === 'T6_ZONE_SHARE')!;
    for (const status of TARGET_STATUSES) {
      expect(text).toContain(`siliconalley_target_status{target="T6_ZONE_SHARE",status="${status}"} ${status === t6.status ? 1 : 0}`);
    }
    expect(text).toContain(`siliconalley_target_flagged{target="T6_ZONE_SHARE"} 1`);
    expect(text).toContain(`siliconalley_target_flagged{target="T32_SERVICE_PLATFORMS"} 0`);
    expect(text).toMatch(/^siliconalley_target_ratio\{target="T6_ZONE_SHARE"\} -?[\d.e-]+$/m);
    expect(text).toMatch(/^siliconalley_tasks_overdue \d+$/m);
    expect(text).toContain(`siliconalley_tasks_completed ${expected.tasksCompleted[asOf]}`);
    const blocked = text.split('\n').filter((l) => l.startsWith('siliconalley_task_blocked{'));
    expect(blocked.length).toBeGreaterThanOrEqual(34);
    expect(blocked.length).toBeLessThan(34 * 6);
  });
});

describe('T6 decomposition', () => {
  const count = (date: string, scope: string) => expected.asOf[date]!.find((k) => k.id === 'qualified_firms' && k.scope === scope)!.value!;
  /** What the merged client's turnover answers: the engine's, as one instance holding every partition. */
  const turnoverAsked: string[] = [];
  const withTurnover: CountsSource = {
    counts: counts.counts,
    turnover: async (query, from, to) => {
      turnoverAsked.push(`${query.id}|${query.scope}|${from}|${to}`);
      return engine.turnover({ id: query.id, scope: query.scope } as KpiRef, from, to);
    },
  };
  const full = new Evaluator(withTurnover, tasks, DEFAULT_TARGETS, () => new Date('2026-11-26T04:00:00Z'));
  const usccs = (scope: string, date: string) => engine.explain({ id: 'qualified_firms', scope } as KpiRef, date).map((r) => r.uscc);

  it('2023-12-31 → 2025-12-31: the effects follow from expected.json qualified_firms counts and sum to Δs', async () => {
    const [a, b] = ['2023-12-31', '2025-12-31'];
    const d = await full.decomposition('T6_ZONE_SHARE', a, b);
    const [za, zb, da, db] = [count(a, 'zone:QL'), count(b, 'zone:QL'), count(a, 'district'), count(b, 'district')];
    expect(d).toMatchObject({ target: 'T6_ZONE_SHARE', scope: 'zone:QL', from: a, to: b, zone: { from: za, to: zb }, district: { from: da, to: db } });
    expect(d.numeratorEffect).toBe((zb - za) / db);
    expect(d.denominatorEffect).toBe(za * (1 / db - 1 / da));
    expect(d.numeratorEffect! + d.denominatorEffect!).toBeCloseTo(d.delta!, 15);
    expect(d.zoneFirms!.gained - d.zoneFirms!.lost).toBe(zb - za);
    expect(d.districtFirms!.gained - d.districtFirms!.lost).toBe(db - da);
    // The same turnover as comparing the explained firm lists, from two turnover calls (zone, district).
    expect(d.zoneFirms).toEqual(firmChanges(usccs('zone:QL', a), usccs('zone:QL', b)));
    expect(d.districtFirms).toEqual(firmChanges(usccs('district', a), usccs('district', b)));
    expect(d.zoneFirms!.gained + d.zoneFirms!.lost).toBeGreaterThan(0);
    expect(turnoverAsked.sort()).toEqual([`qualified_firms|district|${a}|${b}`, `qualified_firms|zone:QL|${a}|${b}`]);
  });

  it('without turnover: counts only; unknown target 404, non-share target 400', async () => {
    const d = await evaluator.decomposition('T6_ZONE_SHARE', '2024-06-30', '2024-12-31');
    expect(d.zoneFirms).toBeUndefined();
    await expect(evaluator.decomposition('NOPE', '2024-06-30', '2024-12-31')).rejects.toMatchObject({ status: 404 });
    await expect(evaluator.decomposition('T32_SERVICE_PLATFORMS', '2024-06-30', '2024-12-31')).rejects.toMatchObject({ status: 400 });
  });
});
