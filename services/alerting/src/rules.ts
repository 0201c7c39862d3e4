// Prometheus alert rules generated from the targets configuration, plus the fixed rules for plan
// tasks and the pipeline. `npm run rules -w @siliconalley/service-alerting` writes
// infra/prometheus/rules/targets.yml; a unit test fails when the checked-in file is stale.
// Every rule carries severity (Alertmanager routes on it, and on department), a summary, a
// description and a runbook_url into docs/runbooks.md.
import { stringify } from 'yaml';
import type { TargetDefinition } from '@siliconalley/targets';

/** Runbooks are sections of docs/runbooks.md; the base can point at a hosted copy (`--runbook-base`). */
export const DEFAULT_RUNBOOK_BASE = 'docs/runbooks.md';

export const RUNBOOK_ANCHORS = [
  'runbook-target-lagging',
  'runbook-target-missed',
  'runbook-task-blocked',
  'runbook-tasks-overdue',
  'runbook-alerting-stale',
  'runbook-ingestion-rejections',
  'runbook-consumer-lag',
  'runbook-assessments-failing',
] as const;
export type RunbookAnchor = (typeof RUNBOOK_ANCHORS)[number];

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: AlertRule[];
}

const quote = (s: string) => JSON.stringify(s);

/*
 * How long a flag must hold before its alert fires (`for:`). The alerting service sets its gauges
 * once per evaluation (EVALUATION_INTERVAL_SECONDS, 60 s by default); Prometheus scrapes them every
 * 15 s (infra/prometheus/prometheus.yml; 5 s in the local stack) and evaluates the rules as often.
 * A flag series that is 1 for a single evaluation or scrape (a restart, two instances disagreeing for
 * a moment during a deploy, a restated count taken back) is seen by the rules for about one
 * evaluation interval at most, and must not notify a department. Tested in
 * infra/prometheus/tests/targets.test.yml (a single scrape after a restart, flapping every scrape and
 * every minute, a steady flag firing exactly at the hold).
 */
/**
 * TargetFlagged: the service raises a target flag at once (lagging, regressing or missed) and clears
 * it only after 3 recovered evaluations (packages/targets flags.ts), so a real flag lasts far longer
 * than 10 minutes, and a target judged against a path of years loses nothing by the wait.
 */
export const TARGET_FLAG_HOLD = '10m';
/**
 * PlanTaskBlocked: a task's flag has no hysteresis on the service side (blocked is a fact of its
 * latest report), so the hold is the only filter; short, as reports come quarterly.
 */
export const TASK_BLOCKED_HOLD = '5m';
/**
 * A flag series that goes missing (the alerting service restarting, or the flags lease passing to
 * another replica, which exports no flag series until its first caught-up evaluation) must not
 * resolve the alert and start its hold again — that would notify "resolved" and then "firing" 10
 * minutes later. The flag rules read the last value within this window (last_over_time skips
 * staleness markers), so an absent series keeps its last value while a series that says 0 clears at
 * once. Longer than the flags lease (3 evaluations) plus a catch-up wait.
 */
export const FLAG_GAP_BRIDGE = '15m';
/** The last exported value of a flag gauge within FLAG_GAP_BRIDGE, per `by` labels. */
const lastFlag = (metric: string, selector: string, by: string) => `max by (${by}) (last_over_time(${metric}{${selector}}[${FLAG_GAP_BRIDGE}])) == 1`;
/*
 * TargetMissed has no hold: `missed` exists only after the due date, with the KPI below the target,
 * and then in every evaluation until a backfill restates the KPI (a real change, which resolves the
 * alert); it has no blip to filter, and a critical alert should not wait. (The same target's
 * TargetFlagged, a warning, follows after its hold; Alertmanager inhibits it under the critical one.)
 */

export function targetRules(definitions: readonly TargetDefinition[], runbook: (a: RunbookAnchor) => string): AlertRule[] {
  return definitions.flatMap((t): AlertRule[] => {
    const sel = `target=${quote(t.id)}`;
    const labels = { target: t.id, kpi: t.kpi, scope: t.scope };
    const what = t.description ? ` (${t.description})` : '';
    return [
      {
        alert: 'TargetFlagged',
        expr: lastFlag('siliconalley_target_flagged', sel, 'target'),
        for: TARGET_FLAG_HOLD,
        labels: { severity: 'warning', ...labels },
        annotations: {
          summary: `Target ${t.id} is flagged (lagging, regressing or missed)`,
          description: `${t.id}${what}: ${t.kpi} for ${t.scope} is off the straight path from ${t.baselineDate} to ${t.due} (method ${t.method}). GET /api/v1/targets shows actual, expected, ratio and forecast.`,
          runbook_url: runbook('runbook-target-lagging'),
        },
      },
      {
        alert: 'TargetMissed',
        // No hold (for:): see TARGET_FLAG_HOLD above.
        expr: `max by (target) (siliconalley_target_status{${sel},status="missed"}) == 1`,
        labels: { severity: 'critical', ...labels },
        annotations: {
          summary: `Target ${t.id} is missed: due ${t.due} and not reached`,
          description: `${t.id}${what}: the due date ${t.due} has passed and ${t.kpi} for ${t.scope} is below the target.`,
          runbook_url: runbook('runbook-target-missed'),
        },
      },
    ];
  });
}

/** A PromQL (RE2) regex matching exactly one of `ids`; ids are letters, digits, _ . - (only `.` is special). */
const anyOf = (ids: readonly string[]) => ids.map((id) => id.replace(/\./g, '\\.')).join('|');

/**
 * Targets added through the API (POST /api/v1/targets) are not in the configuration file, so they get
 * no rules of their own: these two cover every target whose id is not in the file, keyed by the
 * `target` label of the series (label `managed="api"` tells them apart).
 */
export function managedTargetRules(definitions: readonly TargetDefinition[], runbook: (a: RunbookAnchor) => string): AlertRule[] {
  const sel = definitions.length === 0 ? '' : `target!~${quote(anyOf(definitions.map((t) => t.id)))}`;
  const labels = { managed: 'api' };
  return [
    {
      alert: 'TargetFlagged',
      expr: lastFlag('siliconalley_target_flagged', sel, 'target'),
      for: TARGET_FLAG_HOLD,
      labels: { severity: 'warning', ...labels },
      annotations: {
        summary: 'Target {{ $labels.target }} is flagged (lagging, regressing or missed)',
        description:
          'API-managed target {{ $labels.target }} is off its straight path (lagging or regressing) or missed. GET /api/v1/targets shows its definition, actual, expected, ratio and forecast; GET /api/v1/targets/audit who added it.',
        runbook_url: runbook('runbook-target-lagging'),
      },
    },
    {
      alert: 'TargetMissed',
      expr: `max by (target) (siliconalley_target_status{${sel}${sel ? ',' : ''}status="missed"}) == 1`,
      labels: { severity: 'critical', ...labels },
      annotations: {
        summary: 'Target {{ $labels.target }} is missed: due and not reached',
        description: 'The due date of API-managed target {{ $labels.target }} has passed and its KPI is below the target.',
        runbook_url: runbook('runbook-target-missed'),
      },
    },
  ];
}

export function taskRules(runbook: (a: RunbookAnchor) => string): AlertRule[] {
  return [
    {
      alert: 'PlanTaskBlocked',
      expr: lastFlag('siliconalley_task_blocked', '', 'task, department'),
      for: TASK_BLOCKED_HOLD,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Plan task {{ $labels.task }} is blocked ({{ $labels.department }} leads it)',
        description:
          'The latest report of plan task {{ $labels.task }} says blocked; its lead department {{ $labels.department }} is notified. GET /api/v1/tasks shows the report.',
        runbook_url: runbook('runbook-task-blocked'),
      },
    },
    {
      alert: 'PlanTasksOverdue',
      expr: 'max(siliconalley_tasks_overdue) > 0',
      for: '1d',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value }} plan tasks have no report for the last closed quarter',
        description:
          'Tasks without a progress report for the quarter due (and not completed) are overdue; GET /api/v1/departments shows which departments lead them.',
        runbook_url: runbook('runbook-tasks-overdue'),
      },
    },
    {
      alert: 'TargetEvaluationStale',
      expr: 'time() - max(siliconalley_target_last_evaluation_timestamp_seconds) > 900',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Targets have not been evaluated for more than 15 minutes',
        description: 'The alerting service cannot evaluate targets (indicator unavailable or not ready, or the database): target gauges and flags are stale.',
        runbook_url: runbook('runbook-alerting-stale'),
      },
    },
    {
      alert: 'AssessmentsFailing',
      expr: 'sum by (job) (increase(siliconalley_assessment_runs_total{outcome="error"}[1h])) > 2',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.job }}: {{ $value | humanize }} assessment catch-ups failed in the last hour',
        description:
          "Scheduled assessments cannot run (indicator unavailable, database, or lease); the evaluation team's reports are late. Runs are retried every ASSESSMENT_CHECK_SECONDS.",
        runbook_url: runbook('runbook-assessments-failing'),
      },
    },
  ];
}

export function pipelineRules(runbook: (a: RunbookAnchor) => string): AlertRule[] {
  return [
    {
      alert: 'IngestionRejections',
      expr: 'sum by (job, reason) (increase(siliconalley_events_rejected_total[15m])) > 10',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.job }} rejected {{ $value | humanize }} records for {{ $labels.reason }} in 15 minutes',
        description: 'Providers send records that break the contract (reason {{ $labels.reason }}); each is on the dead-letter topic with its reason.',
        runbook_url: runbook('runbook-ingestion-rejections'),
      },
    },
    {
      alert: 'ConsumerLagHigh',
      expr: 'max by (group, topic) (siliconalley_consumer_lag_records) > 1000',
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Consumer group {{ $labels.group }} is {{ $value }} records behind on {{ $labels.topic }}',
        description: 'Records are published but not applied for 15 minutes: KPIs, targets and flags are stale.',
        runbook_url: runbook('runbook-consumer-lag'),
      },
    },
  ];
}

export function ruleGroups(definitions: readonly TargetDefinition[], runbookBase = DEFAULT_RUNBOOK_BASE): RuleGroup[] {
  const runbook = (a: RunbookAnchor) => `${runbookBase}#${a}`;
  return [
    { name: 'siliconalley-targets', rules: [...targetRules(definitions, runbook), ...managedTargetRules(definitions, runbook)] },
    { name: 'siliconalley-tasks', rules: taskRules(runbook) },
    { name: 'siliconalley-pipeline', rules: pipelineRules(runbook) },
  ];
}

export function rulesYaml(definitions: readonly TargetDefinition[], runbookBase = DEFAULT_RUNBOOK_BASE): string {
  const header = [
    '# GENERATED by services/alerting (npm run rules -w @siliconalley/service-alerting) from the targets',
    '# configuration (packages/targets default-targets.json, or TARGETS_FILE). Do not edit by hand:',
    '# services/alerting/test/unit/rules.test.ts fails when this file differs from a fresh generation.',
    '# Targets added through the API (POST /api/v1/targets) are covered by the rules labelled',
    '# managed="api", keyed by the series\' target label: no regeneration is needed for them.',
    `# Holds (for:): TargetFlagged ${TARGET_FLAG_HOLD} and PlanTaskBlocked ${TASK_BLOCKED_HOLD}, so that a flag seen for one`,
    '# evaluation (a restart, a deploy, a restatement taken back) notifies no one; TargetMissed none (a',
    '# dated fact with no blip to filter). Why: services/alerting/src/rules.ts and the README runbooks.',
  ].join('\n');
  return `${header}\n${stringify({ groups: ruleGroups(definitions, runbookBase) }, { lineWidth: 0 })}`;
}
