// A firm's contribution to every KPI series, as day intervals: on each day of [from, to) the firm
// (or one of its certificates) adds 1 to the series `key`. Pure: depends on the firm's events and
// the zone registry only, so a new or late event re-derives one firm and nothing else.
import { CERTIFICATION_KINDS, DONGCHENG_DISTRICT_CODE, type CertificationKind, type FirmEvent } from '@siliconalley/contract';
import { resolveSiteLocation, type ZoneRegistry } from '@siliconalley/zones';
import {
  DISTRICT,
  EXPIRY_WINDOWS,
  INDUSTRY_LABELS,
  QUALIFYING_KINDS,
  SERVICE_PLATFORM_KINDS,
  SERVICE_PLATFORM_LEVELS,
  SERVICE_PLATFORMS_SINCE,
  UNCLASSIFIED,
  seriesKey,
  zoneScope,
  type ExpiryWindow,
  type Scope,
} from './catalogue';
import { dayNumber } from './days';
import { certificateValidDays, resolveFirmHistory, type Certificate, type DayInterval, type FirmHistory } from './history';

export interface SeriesInterval extends DayInterval {
  key: string;
}

const isQualifyingKind = (kind: CertificationKind): boolean => (QUALIFYING_KINDS as readonly string[]).includes(kind);
const SERVICE_PLATFORMS_SINCE_DAY = dayNumber(SERVICE_PLATFORMS_SINCE);

/** Sorted, disjoint, non-touching cover of the intervals: firm counts are a union, not a sum. */
export function unionOfIntervals(intervals: readonly DayInterval[]): DayInterval[] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  const union: DayInterval[] = [];
  for (const { from, to } of sorted) {
    const last = union[union.length - 1];
    if (last !== undefined && from <= last.to) last.to = Math.max(last.to, to);
    else union.push({ from, to });
  }
  return union;
}

/**
 * `new_service_platforms` counts a certificate of a platform kind at national/municipal level with
 * validFrom on or after 2024-01-01 from validFrom until revoked. validUntil does not matter: the
 * KPI counts platforms established under the plan, and kpis.md states no expiry condition for it.
 */
function servicePlatformDays(cert: Certificate): DayInterval | null {
  const counted =
    (SERVICE_PLATFORM_KINDS as readonly string[]).includes(cert.kind) &&
    cert.level !== null &&
    (SERVICE_PLATFORM_LEVELS as readonly string[]).includes(cert.level) &&
    cert.validFrom >= SERVICE_PLATFORMS_SINCE_DAY;
  return counted && cert.validFrom < cert.revokedOn ? { from: cert.validFrom, to: cert.revokedOn } : null;
}

/** Days on which the certificate is valid and its validUntil lies in (d, d + within]. */
function expiringDays(cert: Certificate, within: ExpiryWindow): DayInterval | null {
  const from = Math.max(cert.validFrom, cert.validUntil - within);
  const to = Math.min(cert.validUntil, cert.revokedOn);
  return from < to ? { from, to } : null;
}

const present = <T>(value: T | null): value is T => value !== null;

/** Series keys of one scope, built once: derivation runs for every firm of a full rebuild. */
interface ScopeKeys {
  active: string;
  qualified: string;
  byIndustry: Map<string, string>;
  certified: Map<CertificationKind, string>;
  expiring: Map<string, string>;
}
const scopeKeysCache = new Map<Scope, ScopeKeys>();

function scopeKeys(scope: Scope): ScopeKeys {
  let keys = scopeKeysCache.get(scope);
  if (keys === undefined) {
    keys = {
      active: seriesKey({ id: 'active_firms', scope }),
      qualified: seriesKey({ id: 'qualified_firms', scope }),
      byIndustry: new Map(INDUSTRY_LABELS.map((industry) => [industry, seriesKey({ id: 'qualified_by_industry', scope, industry })])),
      certified: new Map(CERTIFICATION_KINDS.map((kind) => [kind, seriesKey({ id: 'certified_firms', scope, kind })])),
      expiring: new Map(
        QUALIFYING_KINDS.flatMap((kind) =>
          EXPIRY_WINDOWS.map((within) => [`${kind}|${within}`, seriesKey({ id: 'expiring_certifications', scope, kind, within })] as const),
        ),
      ),
    };
    scopeKeysCache.set(scope, keys);
  }
  return keys;
}
const UNLOCATED_KEY = seriesKey({ id: 'unlocated_firms', scope: DISTRICT });
const SERVICE_PLATFORMS_KEY = seriesKey({ id: 'new_service_platforms', scope: DISTRICT });

/**
 * Collects intervals per series, joining [a, b) + [b, c) of one key (same counts, fewer intervals).
 * Firm-count series receive disjoint intervals in day order, so they come out as a union.
 */
class IntervalCollector {
  private readonly byKey = new Map<string, SeriesInterval[]>();

  add(key: string, days: DayInterval | null, within: DayInterval): void {
    if (days === null) return;
    const from = Math.max(days.from, within.from);
    const to = Math.min(days.to, within.to);
    if (from >= to) return;
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [{ key, from, to }]);
    else if (list[list.length - 1]!.to === from) list[list.length - 1]!.to = to;
    else list.push({ key, from, to });
  }

  intervals(): SeriesInterval[] {
    const all: SeriesInterval[] = [];
    for (const list of this.byKey.values()) for (const interval of list) all.push(interval);
    return all;
  }
}

/** Contributions of a resolved history; see `deriveFirmContributions`. */
export function contributionsOfHistory(history: FirmHistory, zones: ZoneRegistry): SeriesInterval[] {
  const { certificates } = history;
  const qualifying = certificates.filter((c) => isQualifyingKind(c.kind));
  const qualified = unionOfIntervals(qualifying.map(certificateValidDays).filter(present));
  const validByKind = new Map<CertificationKind, DayInterval[]>();
  for (const cert of certificates) {
    const days = certificateValidDays(cert);
    if (days === null) continue;
    const same = validByKind.get(cert.kind);
    if (same === undefined) validByKind.set(cert.kind, [days]);
    else same.push(days);
  }
  const certifiedByKind = [...validByKind].map(([kind, valid]) => ({ kind, days: unionOfIntervals(valid) }));
  const expiring = qualifying.flatMap((cert) => EXPIRY_WINDOWS.map((within) => ({ keyPart: `${cert.kind}|${within}`, days: expiringDays(cert, within) })));
  const platforms = certificates.map(servicePlatformDays).filter(present);

  const out = new IntervalCollector();
  for (const state of history.states) {
    if (state.districtCode !== DONGCHENG_DISTRICT_CODE) continue; // no scope counts firms outside the district
    const location = resolveSiteLocation(state.site, zones);
    const scopes: Scope[] = [DISTRICT, ...(location === null ? [] : zones.zonesAt(location).map(zoneScope))];
    const industry = state.focusIndustry ?? UNCLASSIFIED;

    if (location === null) out.add(UNLOCATED_KEY, state, state);
    for (const days of platforms) out.add(SERVICE_PLATFORMS_KEY, days, state);
    for (const scope of scopes) {
      const keys = scopeKeys(scope);
      out.add(keys.active, state, state);
      for (const days of qualified) {
        out.add(keys.qualified, days, state);
        out.add(keys.byIndustry.get(industry)!, days, state);
      }
      for (const { kind, days: union } of certifiedByKind) {
        for (const days of union) out.add(keys.certified.get(kind)!, days, state);
      }
      for (const { keyPart, days } of expiring) out.add(keys.expiring.get(keyPart)!, days, state);
    }
  }
  return out.intervals();
}

/**
 * From ALL accepted events of ONE firm (any order, deduplicated by (source, id)) the day intervals
 * it contributes to each KPI series. Empty while the firm has no registration.
 */
export function deriveFirmContributions(events: readonly FirmEvent[], zones: ZoneRegistry): SeriesInterval[] {
  return contributionsOfHistory(resolveFirmHistory(events), zones);
}
