// The KPIs of shared/spec/kpis.md: ids, labels, scopes, and the series every entry is read from.
import { CERTIFICATION_KINDS, FOCUS_INDUSTRIES, type CertificationKind, type CertificationLevel, type FocusIndustry } from '@siliconalley/contract';

/** Kinds that make a firm "qualified" for the headline (kpis.md "Certifications"). */
export const QUALIFYING_KINDS = ['HNTE', 'SRDI_SME', 'SRDI_GIANT'] as const satisfies readonly CertificationKind[];
export type QualifyingKind = (typeof QUALIFYING_KINDS)[number];

/** `expiring_certifications` windows in days. */
export const EXPIRY_WINDOWS = [90, 180] as const;
export type ExpiryWindow = (typeof EXPIRY_WINDOWS)[number];

/** What `new_service_platforms` counts: these kinds at these levels, validFrom on or after the date. */
export const SERVICE_PLATFORM_KINDS = ['SME_SERVICE_PLATFORM', 'SMALL_MICRO_DEMO_BASE'] as const satisfies readonly CertificationKind[];
export const SERVICE_PLATFORM_LEVELS = ['national', 'municipal'] as const satisfies readonly CertificationLevel[];
export const SERVICE_PLATFORMS_SINCE = '2024-01-01';

/** Industry label of a firm whose focusIndustry is null. */
export const UNCLASSIFIED = 'UNCLASSIFIED';
export type IndustryLabel = FocusIndustry | typeof UNCLASSIFIED;
export const INDUSTRY_LABELS: readonly IndustryLabel[] = [...FOCUS_INDUSTRIES, UNCLASSIFIED];

export const DISTRICT = 'district';
export type Scope = typeof DISTRICT | `zone:${string}`;
export const zoneScope = (zoneId: string): Scope => `zone:${zoneId}`;

export const KPI_IDS = [
  'active_firms',
  'qualified_firms',
  'certified_firms',
  'zone_share',
  'qualified_by_industry',
  'unlocated_firms',
  'new_service_platforms',
  'expiring_certifications',
] as const;
export type KpiId = (typeof KPI_IDS)[number];

/** One KPI entry's identity: id plus the labels it takes (api.md). */
export interface KpiRef {
  id: KpiId;
  scope: Scope;
  kind?: CertificationKind;
  industry?: IndustryLabel;
  within?: ExpiryWindow;
}

export interface KpiEntry extends KpiRef {
  /** Integer count, or for `zone_share` the exact fraction (null when the district has no qualified firm). */
  value: number | null;
}

/**
 * The name of the day-indexed count a KPI entry reads, e.g. `certified_firms|zone:QL|HNTE` or
 * `expiring_certifications|district|HNTE|90`. `zone_share` has no series of its own.
 */
export function seriesKey(ref: KpiRef): string {
  let key = `${ref.id}|${ref.scope}`;
  if (ref.kind !== undefined) key += `|${ref.kind}`;
  if (ref.industry !== undefined) key += `|${ref.industry}`;
  if (ref.within !== undefined) key += `|${ref.within}`;
  return key;
}

/**
 * Every KPI entry for the given zones, in api.md/expected.json order: per scope (district first, then
 * zones in registry order) active, qualified, certified by kind, zone_share (zones only), qualified
 * by industry, expiring by kind × window; then the district-only unlocated_firms and new_service_platforms.
 */
export function kpiCatalogue(zoneIds: readonly string[]): KpiRef[] {
  const refs: KpiRef[] = [];
  for (const scope of [DISTRICT, ...zoneIds.map(zoneScope)] as Scope[]) {
    refs.push({ id: 'active_firms', scope }, { id: 'qualified_firms', scope });
    for (const kind of CERTIFICATION_KINDS) refs.push({ id: 'certified_firms', scope, kind });
    if (scope !== DISTRICT) refs.push({ id: 'zone_share', scope });
    for (const industry of INDUSTRY_LABELS) refs.push({ id: 'qualified_by_industry', scope, industry });
    for (const kind of QUALIFYING_KINDS) {
      for (const within of EXPIRY_WINDOWS) refs.push({ id: 'expiring_certifications', scope, kind, within });
    }
  }
  refs.push({ id: 'unlocated_firms', scope: DISTRICT }, { id: 'new_service_platforms', scope: DISTRICT });
  return refs;
}

/**
 * KPI entries from raw series counts (`KpiEngine.seriesCounts`, possibly summed over instances that
 * own disjoint sets of firms): counts are read as they are, zone_share is qualified{zone} over
 * qualified{district} (null when the district has none).
 */
/** The series counts `composeKpiValue` reads for a KPI entry: what a caller needs to ask for it. */
export function seriesKeysOf(ref: KpiRef): string[] {
  if (ref.id !== 'zone_share') return [seriesKey(ref)];
  return [seriesKey({ id: 'qualified_firms', scope: ref.scope }), seriesKey({ id: 'qualified_firms', scope: DISTRICT })];
}

export function composeKpiValue(ref: KpiRef, counts: Readonly<Record<string, number>>): number | null {
  const count = (r: KpiRef) => counts[seriesKey(r)] ?? 0;
  if (ref.id !== 'zone_share') return count(ref);
  const district = count({ id: 'qualified_firms', scope: DISTRICT });
  return district === 0 ? null : count({ id: 'qualified_firms', scope: ref.scope }) / district;
}

export function composeKpis(zoneIds: readonly string[], counts: Readonly<Record<string, number>>): KpiEntry[] {
  return kpiCatalogue(zoneIds).map((ref) => ({ ...ref, value: composeKpiValue(ref, counts) }));
}
