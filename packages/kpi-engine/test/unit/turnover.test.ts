// Firm turnover (gained / lost between two days) must equal comparing the firm lists explain gives
// on both days, and explain/turnover read only a series' members: the firms with an interval in it,
// kept as contributions are replaced and removed.
import type { FirmEvent } from '@siliconalley/contract';
import { seededRandom, syntheticFirmEvents, syntheticUscc } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { dayNumber, isoDate, KpiEngine, kpiCatalogue, seriesKey, type KpiRef } from '../../src';
import { granted, IN_QL_START, NO_ZONE, registered, updated } from '../builders';

const zones = defaultZoneRegistry();
const A = '91110101MA01AAAA00';
const B = '91110101MA01BBBB00';

/** Members of `after` not in `before` (gained) and of `before` not in `after` (lost): targets' firmChanges. */
function firmChanges(before: Iterable<string>, after: Iterable<string>): { gained: number; lost: number } {
  const [was, is] = [new Set(before), new Set(after)];
  let gained = 0;
  let lost = 0;
  for (const f of is) if (!was.has(f)) gained++;
  for (const f of was) if (!is.has(f)) lost++;
  return { gained, lost };
}

const usccsOf = (engine: KpiEngine, ref: KpiRef, date: string) => engine.explain(ref, date).map((r) => r.uscc);

/** The firms with an interval in the series `ref` explains, from the stored contributions. */
function membersOf(engine: KpiEngine, ref: KpiRef, usccs: readonly string[]): number {
  const key = seriesKey(ref.id === 'zone_share' ? { id: 'qualified_firms', scope: ref.scope } : ref);
  return usccs.filter((u) => engine.contributionsOf(u).some((i) => i.key === key)).length;
}

describe('KpiEngine.turnover on random firm histories', () => {
  const FIRMS = 300;
  const usccs = Array.from({ length: FIRMS }, (_, n) => syntheticUscc(n));
  const rnd = seededRandom(7);
  const engine = new KpiEngine(zones);
  // Wrong histories first, some removed, then each firm's own history in a random order of updates.
  usccs.forEach((uscc, n) => {
    engine.setFirmEvents(uscc, syntheticFirmEvents((n + 1) % FIRMS, 3));
  });
  for (const uscc of usccs) if (rnd() < 0.3) engine.removeFirm(uscc);
  usccs.forEach((uscc, n) => {
    const events = syntheticFirmEvents(n, 3);
    const seen: FirmEvent[] = [];
    for (const event of events) {
      seen.push(event);
      if (rnd() < 0.5) engine.setFirmEvents(uscc, [...seen]);
    }
    engine.setFirmEvents(uscc, events);
  });
  const refs = kpiCatalogue(zones.zoneIds);
  const randomDate = () => isoDate(dayNumber('2000-01-01') + Math.floor(rnd() * (dayNumber('2027-12-31') - dayNumber('2000-01-01'))));
  const pairs: [string, string][] = [
    ['2023-12-31', '2025-12-31'],
    ['2025-12-31', '2023-12-31'],
    ['2024-06-30', '2024-06-30'],
    ...Array.from({ length: 6 }, (): [string, string] => [randomDate(), randomDate()]),
  ];

  it('equals firmChanges(explain(from), explain(to)) for every KPI entry', () => {
    let moved = 0;
    for (const ref of refs) {
      for (const [from, to] of pairs) {
        const turnover = engine.turnover(ref, from, to);
        expect([seriesKey(ref), from, to, turnover]).toEqual([seriesKey(ref), from, to, firmChanges(usccsOf(engine, ref, from), usccsOf(engine, ref, to))]);
        moved += turnover.gained + turnover.lost;
      }
    }
    // Sanity: the synthetic histories do move firms in and out.
    expect(moved).toBeGreaterThan(100);
    const headline = engine.turnover({ id: 'qualified_firms', scope: 'district' }, '2023-12-31', '2025-12-31');
    expect(headline.gained).toBeGreaterThan(0);
    expect(headline.lost).toBeGreaterThan(0);
  });

  it('reads the zone qualified firms for zone_share, as explain does', () => {
    for (const [from, to] of pairs) {
      expect(engine.turnover({ id: 'zone_share', scope: 'zone:QL' }, from, to)).toEqual(engine.turnover({ id: 'qualified_firms', scope: 'zone:QL' }, from, to));
    }
  });

  it('keeps as members exactly the firms with an interval in the series (active_firms: scans every held firm)', () => {
    for (const ref of refs) {
      const expected = ref.id === 'active_firms' ? engine.firmCount : membersOf(engine, ref, usccs);
      expect([seriesKey(ref), engine.seriesMemberCount(ref)]).toEqual([seriesKey(ref), expected]);
    }
    expect(engine.seriesMemberCount({ id: 'qualified_firms', scope: 'district' })).toBeLessThan(engine.firmCount);
  });

  it('adds up over engines holding disjoint firms', () => {
    const [even, odd] = [new KpiEngine(zones), new KpiEngine(zones)];
    usccs.forEach((uscc, n) => {
      (n % 2 === 0 ? even : odd).setFirmEvents(uscc, syntheticFirmEvents(n, 3));
    });
    const ref: KpiRef = { id: 'qualified_firms', scope: 'zone:QL' };
    for (const [from, to] of pairs) {
      const [a, b] = [even.turnover(ref, from, to), odd.turnover(ref, from, to)];
      expect({ gained: a.gained + b.gained, lost: a.lost + b.lost }).toEqual(engine.turnover(ref, from, to));
    }
  });

  it('rejects an unknown entry or a date outside the range', () => {
    expect(() => engine.turnover({ id: 'unlocated_firms', scope: 'zone:QL' }, '2024-01-01', '2025-01-01')).toThrow(/unknown KPI entry/);
    expect(() => engine.turnover({ id: 'qualified_firms', scope: 'district' }, '1989-12-31', '2025-01-01')).toThrow(/outside the engine's range/);
    expect(() => engine.seriesMemberCount({ id: 'zone_share', scope: 'district' })).toThrow(/unknown KPI entry/);
  });
});

describe('KpiEngine series members', () => {
  const qlQualified: KpiRef = { id: 'qualified_firms', scope: 'zone:QL' };
  const districtQualified: KpiRef = { id: 'qualified_firms', scope: 'district' };
  const hnte = granted({ kind: 'HNTE', validFrom: '2022-07-01', validUntil: '2025-06-30' });

  it('drops a firm from a series its contributions move away from, and from every series when removed', () => {
    const engine = new KpiEngine(zones);
    engine.setFirmEvents(A, [registered({ establishedOn: '2020-01-01', site: IN_QL_START }), hnte]);
    engine.setFirmEvents(B, [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), hnte]);
    expect(engine.seriesMemberCount(qlQualified)).toBe(1);
    expect(engine.seriesMemberCount(districtQualified)).toBe(2);
    expect(engine.turnover(qlQualified, '2022-06-30', '2024-01-01')).toEqual({ gained: 1, lost: 0 });

    // A's registration corrected: it never was in QL.
    engine.setFirmEvents(A, [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), hnte]);
    expect(engine.explain(qlQualified, '2024-01-01')).toEqual([]);
    expect(engine.seriesMemberCount(qlQualified)).toBe(0);
    expect(engine.seriesMemberCount(districtQualified)).toBe(2);
    expect(engine.turnover(qlQualified, '2022-06-30', '2024-01-01')).toEqual({ gained: 0, lost: 0 });

    // A moves into QL in 2023: a member again, in from 2023 only.
    engine.setFirmEvents(A, [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), hnte, updated('2023-01-01', { site: IN_QL_START })]);
    expect(engine.seriesMemberCount(qlQualified)).toBe(1);
    expect(engine.explain(qlQualified, '2022-12-31')).toEqual([]);
    expect(engine.explain(qlQualified, '2023-01-01')).toEqual([{ uscc: A, count: 1 }]);
    expect(engine.turnover(qlQualified, '2022-12-31', '2025-07-01')).toEqual({ gained: 0, lost: 0 });
    expect(engine.turnover(qlQualified, '2022-12-31', '2024-01-01')).toEqual({ gained: 1, lost: 0 });
    expect(engine.turnover(districtQualified, '2024-01-01', '2025-07-01')).toEqual({ gained: 0, lost: 2 });

    // The certificate is withdrawn from A's history: it leaves the qualified series but stays active.
    engine.setFirmEvents(A, [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), updated('2023-01-01', { site: IN_QL_START })]);
    expect(engine.seriesMemberCount(qlQualified)).toBe(0);
    expect(engine.seriesMemberCount(districtQualified)).toBe(1);
    expect(engine.explain({ id: 'active_firms', scope: 'zone:QL' }, '2024-01-01')).toEqual([{ uscc: A, count: 1 }]);

    engine.removeFirm(A);
    engine.removeFirm(B);
    for (const ref of kpiCatalogue(zones.zoneIds)) expect([seriesKey(ref), engine.seriesMemberCount(ref)]).toEqual([seriesKey(ref), 0]);
    expect(engine.explain(districtQualified, '2024-01-01')).toEqual([]);
    expect(engine.firmCount).toBe(0);
  });

  it('changes no member when contributions are refused', () => {
    const engine = new KpiEngine(zones);
    engine.setFirmEvents(A, [registered({ establishedOn: '2020-01-01', site: IN_QL_START }), hnte]);
    expect(() => engine.setFirmContributions(A, [{ key: 'active_firms|zone:NOWHERE', from: 0, to: 10 }])).toThrow(/unknown KPI series/);
    expect(engine.seriesMemberCount(qlQualified)).toBe(1);
    expect(engine.explain(qlQualified, '2024-01-01')).toEqual([{ uscc: A, count: 1 }]);
  });

  it('counts a firm once per series however many intervals it has there, and keeps intervals outside the range out', () => {
    const engine = new KpiEngine(zones, { firstDate: '2000-01-01', lastDate: '2030-12-31' });
    const key = seriesKey(districtQualified);
    engine.setFirmContributions(A, [
      { key, from: dayNumber('2001-01-01'), to: dayNumber('2002-01-01') },
      { key, from: dayNumber('2003-01-01'), to: dayNumber('2004-01-01') },
      { key: seriesKey(qlQualified), from: dayNumber('1995-01-01'), to: dayNumber('1999-01-01') },
    ]);
    expect(engine.seriesMemberCount(districtQualified)).toBe(1);
    expect(engine.seriesMemberCount(qlQualified)).toBe(0);
    expect(engine.turnover(districtQualified, '2001-06-30', '2003-06-30')).toEqual({ gained: 0, lost: 0 });
    expect(engine.turnover(districtQualified, '2002-06-30', '2003-06-30')).toEqual({ gained: 1, lost: 0 });
    expect(engine.turnover(districtQualified, '2003-06-30', '2004-06-30')).toEqual({ gained: 0, lost: 1 });
    engine.setFirmContributions(A, [{ key, from: dayNumber('2001-01-01'), to: dayNumber('2002-01-01') }]);
    expect(engine.seriesMemberCount(districtQualified)).toBe(1);
    engine.setFirmContributions(A, [{ key: seriesKey(qlQualified), from: dayNumber('2001-01-01'), to: dayNumber('2002-01-01') }]);
    expect(engine.seriesMemberCount(districtQualified)).toBe(0);
    expect(engine.seriesMemberCount(qlQualified)).toBe(1);
  });
});
