import { defaultZoneRegistry } from '@siliconalley/zones';
import { syntheticFirmEvents } from '@siliconalley/testkit';
import { composeKpis, composeKpiValue, groupEventsByFirm, KpiEngine, kpiCatalogue, seriesKey, seriesKeysOf } from '../../src';

describe('partial engines (scale-out by partitions)', () => {
  it('summed series counts of disjoint firm sets compose to the numbers of one engine holding all', () => {
    const zones = defaultZoneRegistry();
    const whole = new KpiEngine(zones);
    const parts = [new KpiEngine(zones), new KpiEngine(zones), new KpiEngine(zones)];
    const firms = [...groupEventsByFirm(Array.from({ length: 600 }, (_, n) => syntheticFirmEvents(n, 7)).flat())];
    firms.forEach(([uscc, events], i) => {
      whole.setFirmEvents(uscc, events);
      parts[i % 3]!.setFirmEvents(uscc, events);
    });
    for (const asOf of ['2019-06-30', '2023-12-31', '2025-02-28', '2026-10-31']) {
      const sum: Record<string, number> = {};
      for (const p of parts) for (const [k, n] of Object.entries(p.seriesCounts(asOf))) sum[k] = (sum[k] ?? 0) + n;
      expect(composeKpis(zones.zoneIds, sum)).toEqual(whole.kpis(asOf));
      expect(composeKpiValue({ id: 'zone_share', scope: 'zone:QL' }, sum)).toBe(whole.value({ id: 'zone_share', scope: 'zone:QL' }, asOf));
    }
    // The dates above are not all empty, and a single part alone is not the whole.
    const last = whole.kpis('2026-10-31');
    expect(last.find((e) => e.id === 'active_firms' && e.scope === 'district')!.value).toBeGreaterThan(100);
    expect(parts[2]!.kpis('2026-10-31')).not.toEqual(last);
  });
});

describe('the series a KPI entry reads', () => {
  it('seriesKeysOf names exactly what composeKpiValue reads, and seriesCounts(asOf, keys) answers those alone', () => {
    const zones = defaultZoneRegistry();
    const engine = new KpiEngine(zones);
    for (const [uscc, events] of groupEventsByFirm(Array.from({ length: 300 }, (_, n) => syntheticFirmEvents(n, 3)).flat())) engine.setFirmEvents(uscc, events);
    const asOf = '2025-06-30';
    const all = engine.seriesCounts(asOf);
    for (const ref of kpiCatalogue(zones.zoneIds)) {
      const keys = seriesKeysOf(ref);
      const some = engine.seriesCounts(asOf, keys);
      expect(Object.keys(some).sort()).toEqual([...keys].sort());
      // What the entry reads is all there: its value from the few counts equals the value from all.
      expect([seriesKey(ref), composeKpiValue(ref, some)]).toEqual([seriesKey(ref), composeKpiValue(ref, all)]);
    }
    expect(seriesKeysOf({ id: 'zone_share', scope: 'zone:QL' })).toEqual(['qualified_firms|zone:QL', 'qualified_firms|district']);
    // A key the engine does not know is left out, not counted as 0.
    expect(engine.seriesCounts(asOf, ['active_firms|zone:NOWHERE', 'active_firms|district'])).toEqual({
      'active_firms|district': all['active_firms|district'],
    });
    expect(all['active_firms|district']).toBeGreaterThan(0);
  });
});
