import { defaultZoneRegistry, loadZoneRegistry } from '@siliconalley/zones';
import { dayNumber, KpiEngine, kpiCatalogue, seriesKey, type KpiEntry } from '../../src';
import { granted, IN_QL_EXT, IN_QL_START, NO_ZONE, registered, updated } from '../builders';

const zones = defaultZoneRegistry();
const A = '91110101MA01AAAA00';
const B = '91110101MA01BBBB00';
const C = '91110101MA01CCCC00';

function engineWith(firms: Record<string, Parameters<KpiEngine['setFirmEvents']>[1]>): KpiEngine {
  const engine = new KpiEngine(zones);
  for (const [uscc, events] of Object.entries(firms)) engine.setFirmEvents(uscc, events);
  return engine;
}
const entry = (entries: KpiEntry[], ref: Parameters<typeof seriesKey>[0]) => entries.find((e) => seriesKey(e) === seriesKey(ref));

describe('KpiEngine.kpis', () => {
  it('lists every KPI id × label combination for every scope, zeros included, in api.md shape', () => {
    const entries = new KpiEngine(zones).kpis('2025-06-30');
    // per scope 2 + 8 kinds + 9 industries + 3 kinds × 2 windows = 25; 10 scopes; 9 zone shares; 2 district-only
    expect(entries).toHaveLength(25 * 10 + 9 + 2);
    expect(new Set(entries.map(seriesKey)).size).toBe(entries.length);
    expect(entries[0]).toEqual({ id: 'active_firms', scope: 'district', value: 0 });
    expect(entry(entries, { id: 'zone_share', scope: 'zone:QL' })).toEqual({ id: 'zone_share', scope: 'zone:QL', value: null });
    expect(entry(entries, { id: 'expiring_certifications', scope: 'zone:AXIS', kind: 'SRDI_GIANT', within: 180 })).toEqual({
      id: 'expiring_certifications',
      scope: 'zone:AXIS',
      kind: 'SRDI_GIANT',
      within: 180,
      value: 0,
    });
    expect(entries.filter((e) => e.id === 'zone_share' && e.scope === 'district')).toEqual([]);
    expect(entries.filter((e) => e.id === 'unlocated_firms').map((e) => e.scope)).toEqual(['district']);
    expect(entries.filter((e) => e.id === 'qualified_by_industry' && e.scope === 'district').map((e) => e.industry)).toEqual([
      'AI',
      'SMART_HEALTH',
      'DIGITAL_ENTERTAINMENT',
      'DIGITAL_ENERGY',
      'SMART_CITY',
      'TECH_SERVICES',
      'METAVERSE',
      'CARBON_NEUTRAL',
      'UNCLASSIFIED',
    ]);
  });

  it('follows the zones of the registry it was given', () => {
    const custom = loadZoneRegistry({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 'ONLY' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [116, 39],
                [117, 39],
                [117, 40],
                [116, 40],
                [116, 39],
              ],
            ],
          },
        },
      ],
    });
    const scopes = new Set(new KpiEngine(custom).kpis('2025-01-01').map((e) => e.scope));
    expect([...scopes]).toEqual(['district', 'zone:ONLY']);
    expect(kpiCatalogue(['ONLY'])).toHaveLength(25 * 2 + 1 + 2);
  });

  it('computes zone_share as the exact fraction of qualified firms', () => {
    const engine = engineWith({
      [A]: [registered({ establishedOn: '2020-01-01', site: IN_QL_START }), granted({ kind: 'HNTE', validFrom: '2021-01-01' })],
      [B]: [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), granted({ kind: 'SRDI_SME', validFrom: '2021-01-01' })],
      [C]: [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), granted({ kind: 'SRDI_GIANT', validFrom: '2021-01-01' })],
    });
    expect(engine.value({ id: 'zone_share', scope: 'zone:QL' }, '2020-12-31')).toBeNull();
    expect(engine.value({ id: 'zone_share', scope: 'zone:QL' }, '2021-01-01')).toBe(1 / 3);
    expect(engine.value({ id: 'zone_share', scope: 'zone:QL_EXT' }, '2021-01-01')).toBe(0);
    const entries = engine.kpis('2021-01-01');
    for (const e of entries) expect(engine.value(e, '2021-01-01')).toBe(e.value);
  });
});

describe('KpiEngine updates', () => {
  it("replaces a firm's contributions on every set, and removes them", () => {
    const engine = new KpiEngine(zones);
    const first = [registered({ establishedOn: '2020-01-01', site: IN_QL_START })];
    engine.setFirmEvents(A, first);
    engine.setFirmEvents(A, first);
    expect(engine.value({ id: 'active_firms', scope: 'district' }, '2024-01-01')).toBe(1);
    engine.setFirmEvents(A, [...first, updated('2023-01-01', { site: IN_QL_EXT })]);
    expect(engine.value({ id: 'active_firms', scope: 'zone:QL_START' }, '2022-12-31')).toBe(1);
    expect(engine.value({ id: 'active_firms', scope: 'zone:QL_START' }, '2023-01-01')).toBe(0);
    expect(engine.value({ id: 'active_firms', scope: 'zone:QL_EXT' }, '2023-01-01')).toBe(1);
    expect(engine.firmCount).toBe(1);
    engine.removeFirm(A);
    expect(engine.firmCount).toBe(0);
    expect(engine.kpis('2024-01-01').every((e) => e.value === 0 || e.value === null)).toBe(true);
  });

  it('keeps no state for a firm that contributes nothing (certificates only)', () => {
    const engine = engineWith({ [A]: [granted({ kind: 'HNTE', validFrom: '2021-01-01' })] });
    expect(engine.firmCount).toBe(0);
    engine.setFirmEvents(A, [granted({ kind: 'HNTE', validFrom: '2021-01-01' }), registered({ establishedOn: '2022-01-01' })]);
    expect(engine.value({ id: 'qualified_firms', scope: 'district' }, '2022-01-01')).toBe(1);
  });

  it('rejects an unknown series without changing anything', () => {
    const engine = engineWith({ [A]: [registered({ establishedOn: '2020-01-01' })] });
    expect(() => engine.setFirmContributions(A, [{ key: 'active_firms|zone:NOWHERE', from: 0, to: 10 }])).toThrow(
      /unknown KPI series "active_firms\|zone:NOWHERE"/,
    );
    expect(engine.value({ id: 'active_firms', scope: 'district' }, '2024-01-01')).toBe(1);
  });
});

describe('KpiEngine day range', () => {
  it('answers from 1990-01-01 to 2060-12-31 by default, with a clear error outside', () => {
    const engine = new KpiEngine(zones);
    expect(() => engine.kpis('1989-12-31')).toThrow("as-of date 1989-12-31 is outside the engine's range 1990-01-01..2060-12-31");
    expect(() => engine.value({ id: 'active_firms', scope: 'district' }, '2061-01-01')).toThrow(RangeError);
    expect(() => engine.kpis('2060-12-31')).not.toThrow();
    expect(() => engine.kpis('2024-02-30')).toThrow(/not a calendar date/);
  });

  it('lets facts from before the range hold on its first day and open facts run past its end', () => {
    const engine = new KpiEngine(zones, { firstDate: '2000-01-01', lastDate: '2000-12-31' });
    engine.setFirmEvents(A, [registered({ establishedOn: '1985-03-01' }), granted({ kind: 'HNTE', validFrom: '1999-06-01', validUntil: '2000-06-30' })]);
    expect(engine.value({ id: 'active_firms', scope: 'district' }, '2000-01-01')).toBe(1);
    expect(engine.value({ id: 'qualified_firms', scope: 'district' }, '2000-06-30')).toBe(1);
    expect(engine.value({ id: 'qualified_firms', scope: 'district' }, '2000-07-01')).toBe(0);
    expect(engine.value({ id: 'active_firms', scope: 'district' }, '2000-12-31')).toBe(1);
    expect(engine.contributionsOf(A).find((i) => i.key === 'active_firms|district')).toEqual({
      key: 'active_firms|district',
      from: dayNumber('2000-01-01'),
      to: Number.POSITIVE_INFINITY,
    });
  });

  it('rejects a reversed range', () => {
    expect(() => new KpiEngine(zones, { firstDate: '2001-01-01', lastDate: '2000-12-31' })).toThrow(/before firstDate/);
  });
});

describe('KpiEngine.explain and value', () => {
  const engine = engineWith({
    [A]: [
      registered({ establishedOn: '2020-01-01', site: IN_QL_START }),
      granted({ kind: 'HNTE', validFrom: '2022-07-01', validUntil: '2025-06-30', certificateNo: 'GR1' }),
      granted({ kind: 'HNTE', validFrom: '2022-07-01', validUntil: '2025-06-15', certificateNo: 'GR2' }),
    ],
    [B]: [registered({ establishedOn: '2020-01-01', site: NO_ZONE }), granted({ kind: 'HNTE', validFrom: '2022-07-01', validUntil: '2025-06-30' })],
  });

  it('lists the firms counted, with certificate counts where the KPI counts certificates', () => {
    expect(engine.explain({ id: 'qualified_firms', scope: 'district' }, '2025-05-01')).toEqual([
      { uscc: A, count: 1 },
      { uscc: B, count: 1 },
    ]);
    expect(engine.explain({ id: 'expiring_certifications', scope: 'district', kind: 'HNTE', within: 90 }, '2025-05-01')).toEqual([
      { uscc: A, count: 2 },
      { uscc: B, count: 1 },
    ]);
    expect(engine.value({ id: 'expiring_certifications', scope: 'district', kind: 'HNTE', within: 90 }, '2025-05-01')).toBe(3);
    expect(engine.explain({ id: 'zone_share', scope: 'zone:QL' }, '2025-05-01')).toEqual([{ uscc: A, count: 1 }]);
    expect(engine.explain({ id: 'qualified_firms', scope: 'district' }, '2021-01-01')).toEqual([]);
  });

  it('rejects an entry that is not in the catalogue', () => {
    expect(() => engine.value({ id: 'unlocated_firms', scope: 'zone:QL' }, '2025-01-01')).toThrow(/unknown KPI entry/);
    expect(() => engine.value({ id: 'zone_share', scope: 'district' }, '2025-01-01')).toThrow(/unknown KPI entry/);
    expect(() => engine.explain({ id: 'certified_firms', scope: 'district' }, '2025-01-01')).toThrow(/unknown KPI entry/);
  });
});
