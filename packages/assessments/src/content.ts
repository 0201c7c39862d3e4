// What an assessment holds (kpis.md "Assessments"): everything as of the period's last day, the
// data cut-off it saw, and — from v2 on — what changed since the previous version and why.
import type { ActionListLengths, ActionListName, ActionLists, KpiEntry } from '@siliconalley/kpi-engine';
import type { DepartmentScore, TaskStatus } from '@siliconalley/plan';
import type { ShareDecomposition, TargetJudgement, TargetStatus } from '@siliconalley/targets';
import type { PeriodKind } from './periods';

/** Method versions recorded with every assessment, so that a later change never rewrites history silently. */
export const ASSESSMENT_METHOD = 'assessment-v1';
export const KPI_METHOD = 'kpis-v1';

export interface AssessedTask {
  id: number;
  section: string;
  action: string;
  name: string;
  lead: string[];
  cooperating: string[];
  status: TaskStatus | null;
  percentComplete: number | null;
  period: string | null;
  dueQuarter: string | null;
  overdue: boolean;
  blocked: boolean;
}

export interface PathPoint {
  asOf: string;
  value: number | null;
}

/** The headline target's month-end path from its baseline to the period end (the report's chart). */
export interface TargetPath {
  target: string;
  points: PathPoint[];
}

export interface DataCutoff {
  /** Events in the event store when the assessment read it. */
  storedEvents: number;
  /** Newest `receivedAt` of a stored event: events received later are not in this assessment. */
  receivedUpTo: string | null;
  /** Next offset per partition of the accepted topic that the indicator had applied. */
  acceptedOffsets: Record<string, string>;
  /** Ingestion totals at the cut-off (informative: they describe the pipeline, not the period). */
  pipeline: { accepted: number; duplicates: number; rejected: Record<string, number>; rejectedByProvider: Record<string, Record<string, number>> };
}

export interface DataQuality {
  /** unlocated_firms{district} on the period's last day. */
  unlocatedFirms: number | null;
  /** Certificates granted (effective) by the last day whose firm had no registration effective by then. */
  certificatesWithoutKnownFirm: number;
}

export interface NumberChange {
  /** Stable key of the number, e.g. `kpi/qualified_firms/zone:QL` or `target/T6_ZONE_SHARE/actual`. */
  key: string;
  from: number | string | boolean | null;
  to: number | string | boolean | null;
}

/** Events that arrived after the previous version's cut-off and take effect within the period. */
export interface RestatementCause {
  type: string;
  source: string;
  events: number;
  /** Up to a few event ids, for tracing. */
  examples: string[];
}

export interface Restatement {
  previousVersion: number;
  changes: NumberChange[];
  causes: RestatementCause[];
}

/** The assessed numbers: what a run computes from the data (without version or publication). */
export interface AssessmentBody {
  period: string;
  kind: PeriodKind;
  start: string;
  asOf: string;
  methods: { assessment: string; kpis: string; targets: string[] };
  kpis: KpiEntry[];
  targets: TargetJudgement[];
  headlinePath: TargetPath | null;
  tasks: AssessedTask[];
  departments: DepartmentScore[];
  /** Headline share change from the previous period's last day to this one's. */
  decomposition: (ShareDecomposition & { target: string; scope: string }) | null;
  dataQuality: DataQuality;
  cutoff: DataCutoff;
  /** The headline target's action lists as of the period end; absent in versions published before they existed. */
  actions?: AssessedActionLists | null;
  /** Targets at their due date if pending certifications come through; absent in older versions. */
  whatIf?: AssessedWhatIf | null;
}

/**
 * kpis.md "Action lists (v1)" for a zone-share target as of the assessment's day: the first entries
 * of each list in its order (the runner keeps ASSESSMENT_ACTION_ROWS of @siliconalley/api, so that
 * the version fits in one stored document) and the whole lists' lengths.
 */
export interface AssessedActionLists extends ActionLists {
  target: string;
  zone: string;
  within: number;
  /** Entries of each whole list; more than kept when a list was cut. Absent in versions published before lists were cut: those kept every entry. */
  lengths?: ActionListLengths;
}

/** The whole length of one list of an assessment: `lengths`, or (an older version, which kept every entry) the entries kept. */
export function wholeLength(lists: AssessedActionLists, name: ActionListName): number {
  return lists.lengths?.[name] ?? lists[name].length;
}

/** True when an assessment kept only the first entries of a list. */
export const listWasCut = (lists: AssessedActionLists, name: ActionListName): boolean => wholeLength(lists, name) > lists[name].length;

/** Where the whole list is, on the current data (relative to the API's base URL). */
export const wholeListPath = (lists: AssessedActionLists, asOf: string): string =>
  `GET /api/v1/targets/${lists.target}/actions?asOf=${asOf}&within=${lists.within}`;

/** A what-if scenario built from the action lists (kpis.md "What-if (v1)"). */
export interface WhatIfScenario {
  /** `renewals_granted`: every renewals-due firm renewed; `next_tier_certified`: every next-tier firm certified HNTE. */
  id: 'renewals_granted' | 'next_tier_certified';
  /** Hypothetical events applied. */
  events: number;
  targets: TargetJudgement[];
}

export interface AssessedWhatIf {
  /** The day judged: the headline target's due date. */
  asOf: string;
  /** The targets on that day on the stored events alone. */
  baseline: TargetJudgement[];
  scenarios: WhatIfScenario[];
}

export interface Assessment extends AssessmentBody {
  version: number;
  publishedAt: string;
  /** Target statuses counted (the list's summary). */
  statusSummary: Partial<Record<TargetStatus, number>>;
  restatement: Restatement | null;
}

type Leaf = number | string | boolean | null;

const kpiKey = (k: KpiEntry) => ['kpi', k.id, k.scope, k.kind, k.industry, k.within].filter((p) => p !== undefined).join('/');

/**
 * Every number of an assessment that restatement watches, by a stable key. The cut-off is left out:
 * it describes what the run saw, not the period, and changes with every event anywhere.
 */
export function assessedNumbers(a: AssessmentBody): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  for (const k of a.kpis) out.set(kpiKey(k), k.value);
  for (const t of a.targets) {
    for (const f of ['baseline', 'target', 'actual', 'expected', 'ratio', 'forecast', 'status', 'gapToPath', 'method'] as const)
      out.set(`target/${t.id}/${f}`, t[f]);
    if (t.firmsNeeded) {
      out.set(`target/${t.id}/firmsNeeded/toPath`, t.firmsNeeded.toPath);
      out.set(`target/${t.id}/firmsNeeded/toTarget`, t.firmsNeeded.toTarget);
    }
  }
  for (const t of a.tasks) {
    out.set(`task/${t.id}/status`, t.status);
    out.set(`task/${t.id}/percentComplete`, t.percentComplete);
    out.set(`task/${t.id}/overdue`, t.overdue);
  }
  for (const d of a.departments) for (const f of ['completed', 'overdue', 'blocked'] as const) out.set(`department/${d.department}/${f}`, d[f]);
  if (a.decomposition) {
    const d = a.decomposition;
    for (const [k, v] of Object.entries({
      zoneFrom: d.zone.from,
      zoneTo: d.zone.to,
      districtFrom: d.district.from,
      districtTo: d.district.to,
      delta: d.delta,
      numeratorEffect: d.numeratorEffect,
      denominatorEffect: d.denominatorEffect,
    })) {
      out.set(`decomposition/${d.target}/${k}`, v);
    }
  }
  out.set('dataQuality/unlocatedFirms', a.dataQuality.unlocatedFirms);
  out.set('dataQuality/certificatesWithoutKnownFirm', a.dataQuality.certificatesWithoutKnownFirm);
  return out;
}

/** Doubles are compared at 1e-12 relative: a recomputation in another order must not restate. */
function same(a: Leaf, b: Leaf): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

/** old → new for every watched number that differs (added or removed numbers count, as null). */
export function changedNumbers(before: AssessmentBody, after: AssessmentBody): NumberChange[] {
  const [a, b] = [assessedNumbers(before), assessedNumbers(after)];
  const changes: NumberChange[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const [from, to] = [a.get(key) ?? null, b.get(key) ?? null];
    if (!same(from, to)) changes.push({ key, from, to });
  }
  return changes;
}

/** True when a method changed (a new version must be published even if no number did). */
export function methodsChanged(before: AssessmentBody, after: AssessmentBody): boolean {
  return JSON.stringify(before.methods) !== JSON.stringify(after.methods);
}

export function statusSummary(targets: readonly TargetJudgement[]): Partial<Record<TargetStatus, number>> {
  const summary: Partial<Record<TargetStatus, number>> = {};
  for (const t of targets) if (t.status) summary[t.status] = (summary[t.status] ?? 0) + 1;
  return summary;
}
