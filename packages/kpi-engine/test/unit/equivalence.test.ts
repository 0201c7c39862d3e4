// Incremental updates must equal a full rebuild, and both must equal a direct, day-by-day reading
// of kpis.md over the resolved histories (an oracle independent of the interval machinery).
import { DONGCHENG_DISTRICT_CODE, type FirmEvent } from '@siliconalley/contract';
import { seededRandom, syntheticFirmEvents, syntheticUscc } from '@siliconalley/testkit';
import { defaultZoneRegistry, resolveSiteLocation } from '@siliconalley/zones';
import { certificateValidOn, dayNumber, isoDate, KpiEngine, QUALIFYING_KINDS, resolveFirmHistory, seriesKey, UNCLASSIFIED, type KpiEntry } from '../../src';

const zones = defaultZoneRegistry();
const FIRMS = 400;
const firms = new Map<string, FirmEvent[]>(Array.from({ length: FIRMS }, (_, n) => [syntheticUscc(n), syntheticFirmEvents(n, 7)]));
const dates = [
  ...Array.from({ length: 45 }, (_, i) => isoDate(dayNumber('1995-01-01') + i * 277)),
  '2023-12-31',
  '2024-01-01',
  '2025-06-30',
  '2026-02-28',
  '2026-03-01',
  '2026-12-31',
  '2027-06-30',
];

function fullRebuild(): KpiEngine {
  const engine = new KpiEngine(zones);
  for (const [uscc, events] of firms) engine.setFirmEvents(uscc, events);
  return engine;
}

const asRecord = (entries: KpiEntry[]): Record<string, number | null> => Object.fromEntries(entries.map((e) => [seriesKey(e), e.value]));

/** kpis.md read literally, one firm and one day at a time. */
function oracle(date: string): Record<string, number | null> {
  const d = dayNumber(date);
  const values: Record<string, number> = Object.fromEntries(new KpiEngine(zones).kpis(date).map((e) => [seriesKey(e), 0]));
  const bump = (ref: Parameters<typeof seriesKey>[0], by = 1) => (values[seriesKey(ref)]! += by);
  for (const events of firms.values()) {
    const history = resolveFirmHistory(events);
    const state = history.states.find((s) => s.from <= d && d < s.to);
    if (state === undefined || state.districtCode !== DONGCHENG_DISTRICT_CODE) continue;
    const location = resolveSiteLocation(state.site, zones);
    const scopes = ['district' as const, ...(location === null ? [] : zones.zonesAt(location).map((z) => `zone:${z}` as const))];
    const valid = history.certificates.filter((c) => certificateValidOn(c, d));
    const qualified = valid.some((c) => (QUALIFYING_KINDS as readonly string[]).includes(c.kind));
    if (location === null) bump({ id: 'unlocated_firms', scope: 'district' });
    for (const c of history.certificates) {
      const platform = ['SME_SERVICE_PLATFORM', 'SMALL_MICRO_DEMO_BASE'].includes(c.kind) && ['national', 'municipal'].includes(c.level ?? '');
      if (platform && dayNumber('2024-01-01') <= c.validFrom && c.validFrom <= d && d < c.revokedOn) bump({ id: 'new_service_platforms', scope: 'district' });
    }
    for (const scope of scopes) {
      bump({ id: 'active_firms', scope });
      if (qualified) {
        bump({ id: 'qualified_firms', scope });
        bump({ id: 'qualified_by_industry', scope, industry: state.focusIndustry ?? UNCLASSIFIED });
      }
      for (const kind of new Set(valid.map((c) => c.kind))) bump({ id: 'certified_firms', scope, kind });
      for (const c of valid) {
        for (const within of [90, 180] as const) {
          if ((QUALIFYING_KINDS as readonly string[]).includes(c.kind) && d < c.validUntil && c.validUntil <= d + within) {
            bump({ id: 'expiring_certifications', scope, kind: c.kind, within });
          }
        }
      }
    }
  }
  const result: Record<string, number | null> = { ...values };
  for (const zone of zones.zoneIds) {
    const district = values['qualified_firms|district']!;
    result[`zone_share|zone:${zone}`] = district === 0 ? null : values[`qualified_firms|zone:${zone}`]! / district;
  }
  return result;
}

describe('full rebuild = incremental updates = kpis.md read day by day', () => {
  const rebuilt = fullRebuild();

  it('matches the oracle on many dates', () => {
    for (const date of dates) expect([date, asRecord(rebuilt.kpis(date))]).toEqual([date, oracle(date)]);
    // Sanity: the synthetic population exercises the KPIs.
    expect(rebuilt.value({ id: 'qualified_firms', scope: 'zone:QL' }, '2025-06-30')).toBeGreaterThan(0);
    expect(rebuilt.value({ id: 'unlocated_firms', scope: 'district' }, '2025-06-30')).toBeGreaterThan(0);
    expect(rebuilt.value({ id: 'expiring_certifications', scope: 'district', kind: 'HNTE', within: 180 }, '2025-06-30')).toBeGreaterThan(0);
  });

  it('equals an engine fed one event at a time in a random global order', () => {
    const rnd = seededRandom(42);
    const arrivals = [...firms].flatMap(([uscc, events]) => events.map((event) => ({ uscc, event, at: rnd() })));
    arrivals.sort((a, b) => a.at - b.at);
    const incremental = new KpiEngine(zones);
    const seen = new Map<string, FirmEvent[]>();
    for (const { uscc, event } of arrivals) {
      const own = [...(seen.get(uscc) ?? []), event];
      seen.set(uscc, own);
      incremental.setFirmEvents(uscc, own);
    }
    for (const date of dates) expect([date, incremental.kpis(date)]).toEqual([date, rebuilt.kpis(date)]);
  });

  it('equals an engine that saw firms in reverse, with wrong data first, removals and re-adds', () => {
    const engine = new KpiEngine(zones);
    const usccs = [...firms.keys()].reverse();
    // someone else's history
    usccs.forEach((uscc, i) => {
      engine.setFirmEvents(uscc, firms.get(usccs[(i + 1) % usccs.length]!)!);
    });
    for (const uscc of usccs.filter((_, i) => i % 3 === 0)) engine.removeFirm(uscc);
    for (const uscc of usccs) engine.setFirmEvents(uscc, [...firms.get(uscc)!].reverse());
    for (const date of dates) expect([date, engine.kpis(date)]).toEqual([date, rebuilt.kpis(date)]);
    expect(engine.firmCount).toBe(rebuilt.firmCount);
  });
});
