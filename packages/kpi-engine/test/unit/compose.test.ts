import { defaultZoneRegistry } from '@siliconalley/zones';
import { syntheticFirmEvents } from '@siliconalley/testkit';
import { composeKpis, composeKpiValue, groupEventsByFirm, KpiEngine } from '../../src';

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
