// T6 share-change decomposition: exact (the effects sum to Δs), and on the fixture equal to what
// expected.json's qualified_firms counts give; firm turnover from the KPI engine's explain lists.
import { groupEventsByFirm, KpiEngine, type KpiRef } from '@siliconalley/kpi-engine';
import { acceptedFixtureEvents, loadExpected } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { decomposeShareChange, firmChanges } from '../../src';

describe('decomposeShareChange', () => {
  it('splits Δs into numerator and denominator effects that sum to Δs exactly', () => {
    const d = decomposeShareChange('a', 'b', { zone: 10, district: 100 }, { zone: 15, district: 120 });
    expect(d.share).toEqual({ from: 0.1, to: 0.125 });
    expect(d.numeratorEffect).toBeCloseTo(5 / 120, 15);
    expect(d.denominatorEffect).toBeCloseTo(10 * (1 / 120 - 1 / 100), 15);
    expect(d.numeratorEffect! + d.denominatorEffect!).toBeCloseTo(d.delta!, 15);
    expect(d.delta).toBeCloseTo(0.025, 15);
  });

  it('has no denominator effect when the district total is unchanged, no numerator effect when the zone is', () => {
    expect(decomposeShareChange('a', 'b', { zone: 3, district: 50 }, { zone: 7, district: 50 }).denominatorEffect).toBe(0);
    expect(decomposeShareChange('a', 'b', { zone: 3, district: 50 }, { zone: 3, district: 60 }).numeratorEffect).toBe(0);
  });

  it('is null when the district has no qualified firm on either day', () => {
    const d = decomposeShareChange('a', 'b', { zone: 0, district: 0 }, { zone: 2, district: 10 });
    expect([d.share.from, d.share.to, d.delta, d.numeratorEffect, d.denominatorEffect]).toEqual([null, 0.2, null, null, null]);
  });
});

describe('firmChanges', () => {
  it('counts firms gained and lost', () => {
    expect(firmChanges(['a', 'b', 'c'], ['b', 'c', 'd', 'e'])).toEqual({ gained: 2, lost: 1 });
    expect(firmChanges([], [])).toEqual({ gained: 0, lost: 0 });
  });
});

describe('fixture small: T6 decomposition 2023-12-31 → 2025-12-31', () => {
  const expected = loadExpected('small');
  const count = (date: string, scope: string) => expected.asOf[date]!.find((k) => k.id === 'qualified_firms' && k.scope === scope)!.value!;
  const [a, b] = ['2023-12-31', '2025-12-31'];
  const engine = new KpiEngine(defaultZoneRegistry());
  for (const [uscc, events] of groupEventsByFirm(acceptedFixtureEvents('small'))) engine.setFirmEvents(uscc, events);

  it('equals the numbers expected.json qualified_firms counts give, and sums to the zone_share change', () => {
    const qa = { zone: count(a, 'zone:QL'), district: count(a, 'district') };
    const qb = { zone: count(b, 'zone:QL'), district: count(b, 'district') };
    const d = decomposeShareChange(a, b, qa, qb);
    expect(d.numeratorEffect).toBe((qb.zone - qa.zone) / qb.district);
    expect(d.denominatorEffect).toBe(qa.zone * (1 / qb.district - 1 / qa.district));
    const share = (date: string) => expected.asOf[date]!.find((k) => k.id === 'zone_share' && k.scope === 'zone:QL')!.value!;
    expect(d.share.from).toBeCloseTo(share(a), 12);
    expect(d.share.to).toBeCloseTo(share(b), 12);
    expect(d.numeratorEffect! + d.denominatorEffect!).toBeCloseTo(share(b) - share(a), 12);
  });

  it('firm turnover from the explain lists nets to the count changes', () => {
    const firms = (date: string, scope: string) => engine.explain({ id: 'qualified_firms', scope } as KpiRef, date).map((r) => r.uscc);
    const zone = firmChanges(firms(a, 'zone:QL'), firms(b, 'zone:QL'));
    const district = firmChanges(firms(a, 'district'), firms(b, 'district'));
    expect(zone.gained - zone.lost).toBe(count(b, 'zone:QL') - count(a, 'zone:QL'));
    expect(district.gained - district.lost).toBe(count(b, 'district') - count(a, 'district'));
    expect(zone.gained).toBeGreaterThan(0);
  });
});
