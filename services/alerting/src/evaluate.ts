// Targets, tasks and department scorecards as of a day. KPI values come from the indicator(s) —
// every date a judgement needs (baseline, as-of, month ends for the forecast) in one merged
// `counts` call — and plan-task reports from the event store.
import { IndicatorClient } from '@siliconalley/api';
import { chinaDateOf, monthEndsBetween } from '@siliconalley/contract';
import { composeKpiValue, kpiCatalogue, seriesKey, type KpiRef } from '@siliconalley/kpi-engine';
import { departmentScorecard, taskStatusOn, tasksCompletedOn, type DepartmentScore, type TaskReport } from '@siliconalley/plan';
import type { Store } from '@siliconalley/store';
import { toAcceptedEvent } from '@siliconalley/store';
import { judgeTarget, type KpiReader, type TargetDefinition, type TargetJudgement, type TargetKpiRef } from '@siliconalley/targets';

/** Series that are not KPIs of the indicator: computed here from task reports. */
export const TASKS_COMPLETED_KPI = 'tasks_completed';

export interface TaskReportSource {
  reports(): Promise<TaskReport[]>;
}

/** Every accepted `task.progress.reported` event in the event store. */
export function storeTaskReports(store: Store): TaskReportSource {
  return {
    async reports() {
      const docs = await store.events.model.find({ type: 'task.progress.reported' }).lean();
      return docs.map((doc) => toAcceptedEvent(doc) as unknown as TaskReport);
    },
  };
}

/** Counts source: the merged indicator client (or anything with the same `counts`). */
export type CountsSource = Pick<IndicatorClient, 'counts'>;

export interface TaskEntry {
  id: number;
  section: string;
  action: string;
  name: string;
  lead: string[];
  cooperating: string[];
  status: TaskReport['data']['status'] | null;
  percentComplete: number | null;
  period: string | null;
  dueQuarter: string | null;
  overdue: boolean;
  blocked: boolean;
}

/** The dates whose KPI values judging `t` as of `asOf` reads (kpis.md "Progress and status"). */
export function datesNeeded(t: TargetDefinition, asOf: string): string[] {
  const dates = [asOf, ...monthEndsBetween(t.baselineDate, asOf)];
  if (t.baselineValue === undefined) dates.push(t.baselineDate);
  return dates;
}

export class Evaluator {
  constructor(
    private readonly indicators: CountsSource,
    private readonly tasks: TaskReportSource,
    readonly definitions: readonly TargetDefinition[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  today(): string {
    return chinaDateOf(this.now());
  }

  async targets(asOf: string): Promise<TargetJudgement[]> {
    const today = this.today();
    const indicatorDates = new Set<string>();
    let needsTasks = false;
    for (const t of this.definitions) {
      if (t.kpi === TASKS_COMPLETED_KPI) needsTasks = true;
      // The indicator knows nothing after today (China time); later dates read as unknown.
      else for (const d of datesNeeded(t, asOf)) if (d <= today) indicatorDates.add(d);
    }
    const [{ zoneIds, byDate }, reports] = await Promise.all([
      indicatorDates.size > 0 ? this.indicators.counts([...indicatorDates].sort()) : Promise.resolve({ zoneIds: [] as string[], byDate: new Map<string, Record<string, number>>() }),
      needsTasks ? this.tasks.reports() : Promise.resolve([] as TaskReport[]),
    ]);
    const known = new Set(kpiCatalogue(zoneIds).map(seriesKey));
    const completed = new Map<string, number>();
    const reader: KpiReader = {
      value: (ref: TargetKpiRef, date: string) => {
        if (ref.id === TASKS_COMPLETED_KPI) {
          let n = completed.get(date);
          if (n === undefined) completed.set(date, (n = tasksCompletedOn(reports, date)));
          return n;
        }
        const counts = byDate.get(date);
        const kpi = ref as KpiRef;
        if (!counts || !known.has(seriesKey(kpi))) return null;
        return composeKpiValue(kpi, counts);
      },
    };
    return this.definitions.map((t) => judgeTarget(t, asOf, reader));
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
