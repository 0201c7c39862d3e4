// Progress and status of a target on day d, method linear-v1 (kpis.md "Progress and status").
import { dayNumber, isoDate, monthEndDaysBetween } from '@siliconalley/kpi-engine';
import type { TargetDefinition, TargetMethod } from './definitions';
import { firmsNeeded } from './firms-needed';
import { olsForecast, type SeriesPoint } from './forecast';

export const TARGET_STATUSES = ['missed', 'achieved', 'regressing', 'on_track', 'at_risk', 'lagging'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];
/** Statuses that flag a target (kpis.md): an alert, a metric, an annotation. */
export const FLAGGED_STATUSES: readonly TargetStatus[] = ['lagging', 'regressing', 'missed'];

export interface TargetKpiRef {
  id: string;
  scope: string;
  kind?: string;
  industry?: string;
  within?: number;
}

/** Where KPI values come from: the KPI engine, or anything answering the same question. */
export interface KpiReader {
  value(ref: TargetKpiRef, asOf: string): number | null;
}

export interface TargetJudgement {
  id: string;
  kpi: string;
  scope: string;
  baselineDate: string;
  due: string;
  method: TargetMethod;
  /** B, T, A, E, r, F of kpis.md; null where the KPI has no value (e.g. a zone share of an empty district). */
  baseline: number | null;
  target: number | null;
  actual: number | null;
  expected: number | null;
  ratio: number | null;
  forecast: number | null;
  /** Null only when baseline or actual is unknown. */
  status: TargetStatus | null;
  /** E − A. */
  gapToPath: number | null;
  /** Zone-share targets only: extra qualified firms in the zone to reach E (toPath) and T (toTarget). */
  firmsNeeded?: { toPath: number | null; toTarget: number | null };
}

/** The KPI entry a target reads. */
export const targetKpiRef = (t: TargetDefinition): TargetKpiRef => ({
  id: t.kpi,
  scope: t.scope,
  ...(t.kind !== undefined && { kind: t.kind }),
  ...(t.industry !== undefined && { industry: t.industry }),
  ...(t.within !== undefined && { within: t.within }),
});

/** The first status of linear-v1 that applies, in the order of kpis.md. */
export function linearV1Status(s: {
  pastDue: boolean;
  actual: number;
  baseline: number;
  target: number;
  ratio: number | null;
  forecast: number | null;
}): TargetStatus {
  const { pastDue, actual, baseline, target, ratio, forecast } = s;
  const forecastShort = forecast !== null && forecast < target;
  const onPace = ratio === null || ratio >= 0.95;
  if (pastDue && actual < target) return 'missed';
  if (actual >= target) return 'achieved';
  if (actual < baseline) return 'regressing';
  if (onPace && !forecastShort) return 'on_track';
  if ((ratio !== null && ratio >= 0.5 && ratio < 0.95) || (onPace && forecastShort)) return 'at_risk';
  return 'lagging';
}

/** Judges one target as of `asOf` from KPI values read through `kpis`. */
export function judgeTarget(definition: TargetDefinition, asOf: string, kpis: KpiReader): TargetJudgement {
  const ref = targetKpiRef(definition);
  const [t0, t1, d] = [dayNumber(definition.baselineDate), dayNumber(definition.due), dayNumber(asOf)];
  const baseline = definition.baselineValue ?? kpis.value(ref, definition.baselineDate);
  const target = baseline === null ? null : 'value' in definition.target ? definition.target.value : definition.target.multiplier * baseline;
  const actual = kpis.value(ref, asOf);

  // The straight path from (t0, B) to (t1, T); before t0 it stays at B, after t1 at T.
  const elapsed = Math.min(Math.max(d, t0), t1) - t0;
  const expected = baseline === null || target === null ? null : baseline + ((target - baseline) * elapsed) / (t1 - t0);
  const ratio = actual === null || baseline === null || expected === null || expected === baseline ? null : (actual - baseline) / (expected - baseline);

  // Month-end values from t0 up to d (t0 and d only when month ends), nulls skipped, x in days since t0.
  const points: SeriesPoint[] = [];
  for (const monthEnd of monthEndDaysBetween(t0, d)) {
    const y = kpis.value(ref, isoDate(monthEnd));
    if (y !== null) points.push({ x: monthEnd - t0, y });
  }
  const forecast = olsForecast(points, t1 - t0);

  const status =
    actual === null || baseline === null || target === null ? null : linearV1Status({ pastDue: d >= t1, actual, baseline, target, ratio, forecast });

  const judgement: TargetJudgement = {
    id: definition.id,
    kpi: definition.kpi,
    scope: definition.scope,
    baselineDate: definition.baselineDate,
    due: definition.due,
    method: definition.method,
    baseline,
    target,
    actual,
    expected,
    ratio,
    forecast,
    status,
    gapToPath: expected === null || actual === null ? null : expected - actual,
  };
  if (definition.kpi === 'zone_share') {
    const qZone = kpis.value({ id: 'qualified_firms', scope: definition.scope }, asOf) ?? 0;
    const qDistrict = kpis.value({ id: 'qualified_firms', scope: 'district' }, asOf) ?? 0;
    judgement.firmsNeeded = {
      toPath: expected === null ? null : firmsNeeded(qZone, qDistrict, expected),
      toTarget: target === null ? null : firmsNeeded(qZone, qDistrict, target),
    };
  }
  return judgement;
}
