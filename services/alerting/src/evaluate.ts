// Targets, tasks and department scorecards as of a day. KPI values come from the indicator(s) —
// every date a judgement needs (baseline, as-of, month ends for the forecast) in one merged
// `counts` call — and plan-task reports from the indicator too.
import type { IndicatorClient } from '@siliconalley/api';
import type { AssessedTask } from '@siliconalley/assessments';
import { chinaDateOf, monthEndsBetween } from '@siliconalley/contract';
import { composeKpiValue, kpiCatalogue, seriesKey, seriesKeysOf, type KpiRef } from '@siliconalley/kpi-engine';
import { HttpProblem } from '@siliconalley/http';
import { departmentScorecard, taskStatusOn, tasksCompletedOn, type DepartmentScore, type TaskReport } from '@siliconalley/plan';
import {
  decomposeShareChange,
  judgeTarget,
  targetKpiRef,
  type KpiReader,
  type ShareDecomposition,
  type TargetDefinition,
  type TargetJudgement,
  type TargetKpiRef,
} from '@siliconalley/targets';

/** Series that are not KPIs of the indicator: computed here from task reports. */
export const TASKS_COMPLETED_KPI = 'tasks_completed';

export interface TaskReportSource {
  reports(): Promise<TaskReport[]>;
}

/**
 * The accepted `task.progress.reported` events, from the indicator instances that hold them (the
 * indicator keeps them with the partitions it applies): never read from the event store.
 */
export function indicatorTaskReports(indicators: Pick<IndicatorClient, 'taskReports'>): TaskReportSource {
  return {
    async reports() {
      return (await indicators.taskReports()) as unknown as TaskReport[];
    },
  };
}

/**
 * Counts source: the merged indicator client (or anything with the same `counts`); with `turnover`,
 * decompositions also count the firms gained and lost.
 */
export type CountsSource = Pick<IndicatorClient, 'counts'> & Partial<Pick<IndicatorClient, 'turnover'>>;

/** The targets to judge: a fixed list, or read at each evaluation (file/default + API-managed). */
export type TargetSource = readonly TargetDefinition[] | (() => Promise<readonly TargetDefinition[]>);

/** GET /targets/{id}/decomposition. */
export interface TargetDecomposition extends ShareDecomposition {
  target: string;
  scope: string;
}

/** A plan task as of a day (GET /tasks; also what an assessment lists). */
export type TaskEntry = AssessedTask;

/** The dates whose KPI values judging `t` as of `asOf` reads (kpis.md "Progress and status"). */
export function datesNeeded(t: TargetDefinition, asOf: string): string[] {
  const dates = [asOf, ...monthEndsBetween(t.baselineDate, asOf)];
  if (t.baselineValue === undefined) dates.push(t.baselineDate);
  return dates;
}

/** The targets a source holds now. */
export async function targetsOf(source: TargetSource): Promise<readonly TargetDefinition[]> {
  return typeof source === 'function' ? source() : source;
}

/** Every date whose indicator counts judging `definitions` as of `asOf` reads, sorted, once each. */
export function indicatorDatesFor(definitions: readonly TargetDefinition[], asOf: string): string[] {
  const dates = new Set<string>();
  for (const t of definitions) if (t.kpi !== TASKS_COMPLETED_KPI) for (const d of datesNeeded(t, asOf)) dates.add(d);
  return [...dates].sort();
}

/**
 * The series counts judging `definitions` reads (kpi-engine series keys, once each): asked for alone,
 * every instance answers a few numbers per date instead of every series.
 */
export function indicatorSeriesFor(definitions: readonly TargetDefinition[]): string[] {
  const keys = new Set<string>();
  for (const t of definitions) if (t.kpi !== TASKS_COMPLETED_KPI) for (const k of seriesKeysOf(targetKpiRef(t) as KpiRef)) keys.add(k);
  return [...keys].sort();
}

/**
 * Judges every target as of `asOf` from series counts per date (undefined: the date is unknown) and
 * plan-task reports: the one judgement behind GET /targets, what-if and assessments.
 */
export function judgeAll(
  definitions: readonly TargetDefinition[],
  asOf: string,
  zoneIds: readonly string[],
  countsOn: (date: string) => Readonly<Record<string, number>> | undefined,
  reports: readonly TaskReport[],
): TargetJudgement[] {
  const known = new Set(kpiCatalogue(zoneIds).map(seriesKey));
  const completed = new Map<string, number>();
  const reader: KpiReader = {
    value: (ref: TargetKpiRef, date: string) => {
      if (ref.id === TASKS_COMPLETED_KPI) {
        let n = completed.get(date);
        if (n === undefined) completed.set(date, (n = tasksCompletedOn(reports as TaskReport[], date)));
        return n;
      }
      const counts = countsOn(date);
      const kpi = ref as KpiRef;
      if (!counts || !known.has(seriesKey(kpi))) return null;
      return composeKpiValue(kpi, counts);
    },
  };
  return definitions.map((t) => judgeTarget(t, asOf, reader));
}

export class Evaluator {
  constructor(
    private readonly indicators: CountsSource,
    private readonly tasks: TaskReportSource,
    private readonly definitions: TargetSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The targets judged now, in order (file/default first). */
  async targetDefinitions(): Promise<readonly TargetDefinition[]> {
    return targetsOf(this.definitions);
  }

  today(): string {
    return chinaDateOf(this.now());
  }

  async targets(asOf: string): Promise<TargetJudgement[]> {
    const today = this.today();
    const definitions = await this.targetDefinitions();
    // The indicator knows nothing after today (China time); later dates read as unknown.
    const indicatorDates = indicatorDatesFor(definitions, asOf).filter((d) => d <= today);
    const needsTasks = definitions.some((t) => t.kpi === TASKS_COMPLETED_KPI);
    const [{ zoneIds, byDate }, reports] = await Promise.all([
      indicatorDates.length > 0
        ? this.indicators.counts(indicatorDates, indicatorSeriesFor(definitions))
        : Promise.resolve({ zoneIds: [] as string[], byDate: new Map<string, Record<string, number>>() }),
      needsTasks ? this.tasks.reports() : Promise.resolve([] as TaskReport[]),
    ]);
    return judgeAll(definitions, asOf, zoneIds, (date) => byDate.get(date), reports);
  }

  /**
   * The change of a zone-share target's share between two days, split into the numerator effect
   * (qualified firms gained/lost in the zone) and the denominator effect (the district total), with
   * the firm turnover behind the counts when the indicator can count it (`turnover`: two numbers per
   * scope from each instance, no firm list).
   */
  async decomposition(id: string, from: string, to: string): Promise<TargetDecomposition> {
    const target = (await this.targetDefinitions()).find((t) => t.id === id);
    if (!target) throw new HttpProblem(404, `no target ${JSON.stringify(id)}; GET /api/v1/targets lists them`);
    if (target.kpi !== 'zone_share') {
      throw new HttpProblem(400, `${id} is a ${target.kpi} target: only zone_share targets decompose into numerator and denominator effects`);
    }
    const { zoneIds, byDate } = await this.indicators.counts([from, to]);
    const zone = { id: 'qualified_firms', scope: target.scope } as KpiRef;
    const district = { id: 'qualified_firms', scope: 'district' } as KpiRef;
    if (!new Set(kpiCatalogue(zoneIds).map(seriesKey)).has(seriesKey(zone))) {
      throw new HttpProblem(409, `${id}: the indicator knows no zone ${target.scope} (zones: ${zoneIds.join(', ')})`);
    }
    const countsOn = (date: string) => ({ zone: composeKpiValue(zone, byDate.get(date)!) ?? 0, district: composeKpiValue(district, byDate.get(date)!) ?? 0 });
    const result: TargetDecomposition = { target: id, scope: target.scope, ...decomposeShareChange(from, to, countsOn(from), countsOn(to)) };
    const turnover = this.indicators.turnover?.bind(this.indicators);
    if (turnover) {
      const [zoneFirms, districtFirms] = await Promise.all([
        turnover({ id: 'qualified_firms', scope: target.scope }, from, to),
        turnover({ id: 'qualified_firms', scope: 'district' }, from, to),
      ]);
      result.zoneFirms = { gained: zoneFirms.gained, lost: zoneFirms.lost };
      result.districtFirms = { gained: districtFirms.gained, lost: districtFirms.lost };
    }
    return result;
  }

  async tasksOn(asOf: string): Promise<TaskEntry[]> {
    return taskStatusOn(await this.tasks.reports(), asOf).map((s) => ({
      id: s.task.id,
      section: s.task.section,
      action: s.task.action,
      name: s.task.name,
      lead: [...s.task.lead],
      cooperating: [...s.task.cooperating],
      status: s.status,
      percentComplete: s.percentComplete,
      period: s.report?.data.period ?? null,
      dueQuarter: s.dueQuarter,
      overdue: s.overdue,
      blocked: s.blocked,
    }));
  }

  async departments(asOf: string): Promise<DepartmentScore[]> {
    return departmentScorecard(await this.tasks.reports(), asOf);
  }
}
