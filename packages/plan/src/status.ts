// Task status, overdue and blocked flags, and department scorecards (kpis.md "Plan tasks").
import { normaliseDepartment } from './departments';
import { compareQuarters, formatQuarter, lastClosedQuarter, parseQuarter, quarterFirstDay, quarterLastDay, type Quarter } from './periods';
import { departments, PLAN_TASKS, type PlanTask } from './tasks';

export const TASK_STATUSES = ['not_started', 'in_progress', 'completed', 'blocked'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * What this package needs of a `task.progress.reported` event. The contract's
 * `TaskProgressReported` satisfies it; it is spelled out here because the contract depends on
 * this package (for tasks and departments), not the other way round.
 */
export interface TaskReport {
  readonly id: string;
  /** RFC 3339, as validated by the contract. */
  readonly time: string;
  readonly data: {
    readonly taskId: number;
    /** `YYYY-Qn` */
    readonly period: string;
    readonly status: TaskStatus;
    readonly percentComplete: number;
  };
}

/** The plan was adopted on 2024-07-10: its first reporting quarter is the one containing that day. */
export const PLAN_ADOPTED_ON = '2024-07-10';
export const FIRST_REPORTING_QUARTER: Quarter = { year: 2024, quarter: 3 };
/** The plan runs to the end of 2026; no report is due for a later quarter. */
export const LAST_REPORTING_QUARTER: Quarter = { year: 2026, quarter: 4 };

function periodOf(report: TaskReport): Quarter {
  const q = parseQuarter(report.data.period);
  if (!q) throw new RangeError(`task report ${report.id} has no valid period: ${JSON.stringify(report.data.period)}`);
  return q;
}

/** Instants, not strings: offsets may differ. Equal instants fall through to the next key. */
function compareTimes(a: string, b: string): number {
  const diff = Date.parse(a) - Date.parse(b);
  return Number.isNaN(diff) ? 0 : diff;
}

/** Report order of kpis.md: by period end, then `time`, then `id`; the latest sorts last. */
export function compareReports(a: TaskReport, b: TaskReport): number {
  return compareQuarters(periodOf(a), periodOf(b)) || compareTimes(a.time, b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function latestOf<R extends TaskReport>(reports: readonly R[]): R | null {
  let latest: R | null = null;
  for (const r of reports) if (latest === null || compareReports(r, latest) > 0) latest = r;
  return latest;
}

/**
 * The quarter whose report is due on day d: the last closed quarter, limited to the plan's
 * reporting quarters; null before the first one has closed.
 */
export function reportDueQuarter(d: string): Quarter | null {
  const closed = lastClosedQuarter(d);
  if (compareQuarters(closed, FIRST_REPORTING_QUARTER) < 0) return null;
  return compareQuarters(closed, LAST_REPORTING_QUARTER) > 0 ? LAST_REPORTING_QUARTER : closed;
}

export interface TaskStatusOn<R extends TaskReport = TaskReport> {
  task: PlanTask;
  /** The report that sets the status: the latest whose period ends on or before d. */
  report: R | null;
  /** null when the task has no report yet for a period ended on or before d. */
  status: TaskStatus | null;
  percentComplete: number | null;
  /** No report for the quarter due on d (`dueQuarter`), and not completed. */
  overdue: boolean;
  /** `YYYY-Qn` whose report is due on d, or null before any is due. */
  dueQuarter: string | null;
  /**
   * Flagged at once: the latest report whose period has begun on or before d says `blocked`,
   * without waiting for that period to end (a later report lifts the flag the same way).
   */
  blocked: boolean;
}

/** Each task's status on day d (`YYYY-MM-DD`), all 34 in task order. Reports of any task, in any order. */
export function taskStatusOn<R extends TaskReport>(reports: readonly R[], d: string): TaskStatusOn<R>[] {
  const byTask = new Map<number, R[]>();
  for (const r of reports) {
    const list = byTask.get(r.data.taskId);
    if (list) list.push(r);
    else byTask.set(r.data.taskId, [r]);
  }
  const due = reportDueQuarter(d);
  return PLAN_TASKS.map((task) => {
    const own = byTask.get(task.id) ?? [];
    const report = latestOf(own.filter((r) => quarterLastDay(periodOf(r)) <= d));
    const latestBegun = latestOf(own.filter((r) => quarterFirstDay(periodOf(r)) <= d));
    const status = report?.data.status ?? null;
    const reportedDue = due !== null && own.some((r) => compareQuarters(periodOf(r), due) === 0);
    return {
      task,
      report,
      status,
      percentComplete: report?.data.percentComplete ?? null,
      overdue: due !== null && !reportedDue && status !== 'completed',
      dueQuarter: due === null ? null : formatQuarter(due),
      blocked: latestBegun?.data.status === 'blocked',
    };
  });
}

/** Number of tasks whose status on d is `completed` (target `TASKS_COMPLETED`). */
export function tasksCompletedOn(reports: readonly TaskReport[], d: string): number {
  return taskStatusOn(reports, d).filter((t) => t.status === 'completed').length;
}

export interface DepartmentScore {
  /** Normalised name. */
  department: string;
  ledTaskIds: number[];
  cooperatingTaskIds: number[];
  /** Of the tasks it leads: */
  completed: number;
  overdue: number;
  blocked: number;
}

/**
 * A scorecard per normalised department on day d. A task with several lead departments counts
 * for each of them; completed, overdue and blocked are counted over the tasks a department leads.
 */
export function departmentScorecard(reports: readonly TaskReport[], d: string): DepartmentScore[] {
  const statuses = taskStatusOn(reports, d);
  return departments().map((department) => {
    const led = statuses.filter((s) => s.task.lead.includes(department));
    return {
      department,
      ledTaskIds: led.map((s) => s.task.id),
      cooperatingTaskIds: statuses.filter((s) => s.task.cooperating.includes(department)).map((s) => s.task.id),
      completed: led.filter((s) => s.status === 'completed').length,
      overdue: led.filter((s) => s.overdue).length,
      blocked: led.filter((s) => s.blocked).length,
    };
  });
}

/** The scorecard row of one department, by any of its names. */
export function scoreOfDepartment(scorecard: readonly DepartmentScore[], name: string): DepartmentScore | undefined {
  const canonical = normaliseDepartment(name);
  return scorecard.find((s) => s.department === canonical);
}
