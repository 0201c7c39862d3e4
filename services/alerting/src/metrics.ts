// Gauges of the targets and plan tasks as of today (China time), set after each evaluation.
// Cardinality is bounded: targets × 6 statuses, 34 tasks × their lead departments.
import { Counter, Gauge, type Registry } from '@siliconalley/http';
import { TARGET_STATUSES, type TargetJudgement } from '@siliconalley/targets';
import type { TaskEntry } from './evaluate';

export function alertingMetrics(registry: Registry) {
  const g = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const metrics = {
    status: g('siliconalley_target_status', 'Status of a target today (linear-v1): 1 for the current status, 0 for the others.', ['target', 'status'] as const),
    ratio: g('siliconalley_target_ratio', 'Progress ratio (A − B) / (E − B) of a target today; absent when undefined.', ['target'] as const),
    actual: g('siliconalley_target_actual', 'Actual KPI value A of a target today; absent when unknown.', ['target'] as const),
    expected: g('siliconalley_target_expected', 'Value E on the straight path of a target today; absent when unknown.', ['target'] as const),
    value: g('siliconalley_target_value', 'Target value T a target must reach by its due date; absent when unknown.', ['target'] as const),
    forecast: g('siliconalley_target_forecast', 'Least-squares forecast F of a target at its due date (linear-v1); absent with fewer than 3 month ends.', [
      'target',
    ] as const),
    dueTimestamp: g('siliconalley_target_due_timestamp_seconds', 'Due date of a target (end of the day, China time) as a Unix timestamp.', ['target'] as const),
    firmsNeeded: g(
      'siliconalley_target_firms_needed',
      'Zone-share targets: additional qualified firms in the zone needed to reach the straight path (to="path") or the target (to="target"); absent when unreachable.',
      ['target', 'to'] as const,
    ),
    flagged: g('siliconalley_target_flagged', 'Whether a target is flagged (lagging, regressing or missed, with hysteresis): 1 or 0.', ['target'] as const),
    actionListFirms: g(
      'siliconalley_action_list_firms',
      'Firms on each action list of the headline zone-share target today (list: renewals_due within 180 days, relocation_candidates, next_tier; kpis.md "Action lists").',
      ['list'] as const,
    ),
    tasksOverdue: g('siliconalley_tasks_overdue', 'Plan tasks without a report for the quarter due today (not completed).', [] as const),
    tasksBlocked: g('siliconalley_tasks_blocked', 'Plan tasks whose latest begun report says blocked.', [] as const),
    taskBlocked: g('siliconalley_task_blocked', 'Whether a plan task is blocked today (1 or 0), per lead department.', ['task', 'department'] as const),
    tasksCompleted: g('siliconalley_tasks_completed', 'Plan tasks whose status today is completed.', [] as const),
    evaluations: new Counter({
      name: 'siliconalley_target_evaluations_total',
      help: 'Periodic evaluations of targets and tasks, by outcome: ok, waiting (the pipeline has not caught up: nothing judged) or error.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    assessmentRuns: new Counter({
      name: 'siliconalley_assessment_runs_total',
      help: 'Assessment runs by period kind (month, quarter, year; catch-up for failed catch-ups) and outcome (published, unchanged, error).',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    assessmentsCatchUpPending: g(
      'siliconalley_assessments_catch_up_pending',
      'Whether closed periods remain to be assessed (1: from the start until a catch-up completes, or a failed one waits for its retry) or every closed period is assessed (0).',
      [] as const,
    ),
    evaluationReady: g(
      'siliconalley_evaluation_ready',
      'Whether the data is caught up and targets are judged (1) or the service waits for ingestion and the indicator (0): while 0, target and flag series keep their last caught-up values.',
      [] as const,
    ),
    caughtUpPoint: g(
      'siliconalley_evaluation_caught_up_timestamp_seconds',
      'Start of the last judged evaluation (Unix time): every record published to the source topics before it was settled by ingestion and applied by the indicator when judged.',
      [] as const,
    ),
    flagsLeader: g(
      'siliconalley_flags_leader',
      'Whether this replica holds the flags lease and publishes flags, alert events and annotations (1) or stands by (0).',
      [] as const,
    ),
    lastEvaluation: g('siliconalley_target_last_evaluation_timestamp_seconds', 'Unix time of the last successful evaluation.', [] as const),
    /** Targets exported by the last recordTargets: a deleted (API-managed) target's series are removed. */
    exported: new Set<string>(),
    /** Deleted targets whose flag series says 0 until RETIRED_FLAG_MS has passed (id → deletion time). */
    retired: new Map<string, number>(),
  };
  // Absent until the first caught-up judgement: prom-client would export a label-less gauge as 0,
  // which would read as "no task overdue" before anything was judged.
  for (const gauge of [metrics.actionListFirms, metrics.tasksOverdue, metrics.tasksBlocked, metrics.tasksCompleted, metrics.caughtUpPoint]) gauge.remove({});
  return metrics;
}

export type AlertingMetrics = ReturnType<typeof alertingMetrics>;

const setOrRemove = (gauge: Gauge<'target'>, target: string, value: number | null) => {
  if (value === null || !Number.isFinite(value)) gauge.remove({ target });
  else gauge.set({ target }, value);
};

/**
 * How long a deleted target's flag series stays at 0 before it goes: the flag rules read the last
 * value within 15 minutes (rules.ts FLAG_GAP_BRIDGE), so a series that just vanished would keep its
 * alert firing; a 0 resolves it at once.
 */
export const RETIRED_FLAG_MS = 20 * 60_000;

/** Removes the series of a target that is no longer judged (deleted through the API); its flag says 0 for a while. */
function forgetTarget(m: AlertingMetrics, target: string, nowMs: number, publishesFlags: boolean): void {
  for (const status of TARGET_STATUSES) m.status.remove({ target, status });
  for (const gauge of [m.ratio, m.actual, m.expected, m.value, m.forecast, m.dueTimestamp]) gauge.remove({ target });
  for (const to of ['path', 'target']) m.firmsNeeded.remove({ target, to });
  if (publishesFlags) {
    m.flagged.set({ target }, 0);
    m.retired.set(target, nowMs);
  } else m.flagged.remove({ target });
}

/** `flagged` null: this replica does not publish flags (a standby), so it exports no flag series. */
export function recordTargets(m: AlertingMetrics, judgements: readonly TargetJudgement[], flagged: ((id: string) => boolean) | null, nowMs = Date.now()): void {
  const current = new Set(judgements.map((j) => j.id));
  for (const id of m.exported) if (!current.has(id)) forgetTarget(m, id, nowMs, flagged !== null);
  for (const [id, since] of m.retired) {
    if (current.has(id))
      m.retired.delete(id); // created again
    else if (nowMs - since >= RETIRED_FLAG_MS || flagged === null) {
      m.flagged.remove({ target: id });
      m.retired.delete(id);
    }
  }
  m.exported.clear();
  for (const id of current) m.exported.add(id);
  for (const j of judgements) {
    for (const status of TARGET_STATUSES) m.status.set({ target: j.id, status }, j.status === status ? 1 : 0);
    setOrRemove(m.ratio, j.id, j.ratio);
    setOrRemove(m.actual, j.id, j.actual);
    setOrRemove(m.expected, j.id, j.expected);
    setOrRemove(m.value, j.id, j.target);
    setOrRemove(m.forecast, j.id, j.forecast);
    // End of the due day in China time (UTC+8): 16:00 UTC of that day.
    m.dueTimestamp.set({ target: j.id }, Date.parse(`${j.due}T16:00:00Z`) / 1000);
    for (const [to, n] of [
      ['path', j.firmsNeeded?.toPath ?? null],
      ['target', j.firmsNeeded?.toTarget ?? null],
    ] as const) {
      if (j.firmsNeeded === undefined || n === null) m.firmsNeeded.remove({ target: j.id, to });
      else m.firmsNeeded.set({ target: j.id, to }, n);
    }
    if (flagged) m.flagged.set({ target: j.id }, flagged(j.id) ? 1 : 0);
    else m.flagged.remove({ target: j.id });
  }
}

export function recordTasks(m: AlertingMetrics, tasks: readonly TaskEntry[]): void {
  m.tasksOverdue.set(tasks.filter((t) => t.overdue).length);
  m.tasksBlocked.set(tasks.filter((t) => t.blocked).length);
  m.tasksCompleted.set(tasks.filter((t) => t.status === 'completed').length);
  for (const t of tasks) for (const department of t.lead) m.taskBlocked.set({ task: String(t.id), department }, t.blocked ? 1 : 0);
}

/** The api.md list names as metric label values (bounded: three). */
const ACTION_LIST_LABELS = { renewalsDue: 'renewals_due', relocationCandidates: 'relocation_candidates', nextTier: 'next_tier' } as const;

/** Sets the action-list gauges from the lists' lengths; null (no headline zone-share target): the series go. */
export function recordActionLists(metrics: AlertingMetrics, lengths: Readonly<Record<keyof typeof ACTION_LIST_LABELS, number>> | null): void {
  for (const [name, list] of Object.entries(ACTION_LIST_LABELS) as [keyof typeof ACTION_LIST_LABELS, string][]) {
    if (lengths === null) metrics.actionListFirms.remove({ list });
    else metrics.actionListFirms.set({ list }, lengths[name]);
  }
}
