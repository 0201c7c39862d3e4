import type { FirmEvent } from '@siliconalley/contract';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { dayNumber, deriveFirmContributions, FOREVER, unionOfIntervals, type SeriesInterval } from '../../src';
import { deregistered, granted, IN_QL_EXT, IN_QL_START, NO_ZONE, registered, revoked, site, UNLOCATED, updated } from '../builders';

const zones = defaultZoneRegistry();

/** The firm's non-zero series values on `date`. */
function valuesOn(events: FirmEvent[], date: string): Record<string, number> {
  const day = dayNumber(date);
  const values: Record<string, number> = {};
  for (const { key, from, to } of deriveFirmContributions(events, zones)) {
    if (from <= day && day < to) values[key] = (values[key] ?? 0) + 1;
  }
  return values;
}
const value = (events: FirmEvent[], key: string, date: string): number => valuesOn(events, date)[key] ?? 0;

describe('unionOfIntervals', () => {
  it('merges overlapping and touching intervals', () => {
    expect(
      unionOfIntervals([
        { from: 5, to: 9 },
        { from: 1, to: 3 },
        { from: 3, to: 4 },
        { from: 6, to: FOREVER },
      ]),
    ).toEqual([
      { from: 1, to: 4 },
      { from: 5, to: FOREVER },
    ]);
  });
});

describe('deriveFirmContributions', () => {
  const base = registered({ establishedOn: '2020-01-01', site: IN_QL_START, focusIndustry: 'AI' });

  it('contributes nothing without a registration (certificates wait for the firm)', () => {
    expect(deriveFirmContributions([granted({ kind: 'HNTE', validFrom: '2020-01-01' })], zones)).toEqual([]);
  });

  it('counts certificates that arrived before the firm once it is known', () => {
    const events = [granted({ kind: 'HNTE', validFrom: '2019-01-01' }), base];
    expect(value(events, 'qualified_firms|district', '2019-06-01')).toBe(0);
    expect(value(events, 'qualified_firms|district', '2020-01-01')).toBe(1);
  });

  it('puts an active firm in the district and in every zone containing its location', () => {
    expect(valuesOn([base], '2020-01-01')).toEqual({
      'active_firms|district': 1,
      'active_firms|zone:QL': 1,
      'active_firms|zone:QL_START': 1,
      'active_firms|zone:AXIS': 1,
      'active_firms|zone:BELT_N2R': 1,
      'active_firms|zone:POLE_GHQL': 1,
    });
    expect(valuesOn([base], '2019-12-31')).toEqual({});
  });

  it("merges a firm's days across changes that do not move it", () => {
    const events = [base, updated('2021-01-01', { name: 'X' }), updated('2022-01-01', { focusIndustry: 'SMART_CITY' })];
    const active = deriveFirmContributions(events, zones).filter((i) => i.key === 'active_firms|district');
    expect(active).toEqual([{ key: 'active_firms|district', from: dayNumber('2020-01-01'), to: FOREVER }]);
  });

  it('counts nothing outside the district, in any scope', () => {
    const events = [base, updated('2021-01-01', { districtCode: '110105' }), granted({ kind: 'HNTE', validFrom: '2020-06-01' })];
    expect(valuesOn(events, '2021-01-01')).toEqual({});
    expect(value(events, 'qualified_firms|zone:QL', '2020-12-31')).toBe(1);
  });

  it('converts GCJ-02 before testing zones', () => {
    // This GCJ-02 point lies outside QL as raw numbers, inside QL once converted to WGS84.
    const gcj = registered({ establishedOn: '2020-01-01', site: site(116.4282401, 39.9493428, 'GCJ02') });
    expect(zones.zonesAt({ lon: 116.4282401, lat: 39.9493428 })).not.toContain('QL');
    expect(value([gcj], 'active_firms|zone:QL', '2020-01-01')).toBe(1);
  });

  it('uses the building point when the site has no coordinates, else counts the firm unlocated', () => {
    const inBuilding = registered({ establishedOn: '2020-01-01', site: site(null, 0, 'WGS84', 'B_YONGHE') });
    expect(value([inBuilding], 'active_firms|zone:QL', '2020-01-01')).toBe(1);
    expect(value([inBuilding], 'unlocated_firms|district', '2020-01-01')).toBe(0);
    const unknownBuilding = registered({ establishedOn: '2020-01-01', site: site(null, 0, 'WGS84', 'B_UNKNOWN_1') });
    expect(valuesOn([unknownBuilding], '2020-01-01')).toEqual({ 'active_firms|district': 1, 'unlocated_firms|district': 1 });
    const outside = registered({ establishedOn: '2020-01-01', site: UNLOCATED, districtCode: '110105' });
    expect(valuesOn([outside], '2020-01-01')).toEqual({});
  });

  it('follows moves between zones on their effective day', () => {
    const events = [base, updated('2022-03-01', { site: IN_QL_EXT }), updated('2023-03-01', { site: NO_ZONE })];
    expect(value(events, 'active_firms|zone:QL_START', '2022-02-28')).toBe(1);
    expect(value(events, 'active_firms|zone:QL_START', '2022-03-01')).toBe(0);
    expect(value(events, 'active_firms|zone:QL_EXT', '2022-03-01')).toBe(1);
    expect(value(events, 'active_firms|zone:QL', '2023-02-28')).toBe(1);
    expect(value(events, 'active_firms|zone:QL', '2023-03-01')).toBe(0);
    expect(value(events, 'active_firms|district', '2023-03-01')).toBe(1);
  });

  it('stops counting on deregistration', () => {
    const events = [base, deregistered('2024-05-01'), granted({ kind: 'HNTE', validFrom: '2023-01-01' })];
    expect(value(events, 'qualified_firms|district', '2024-04-30')).toBe(1);
    expect(valuesOn(events, '2024-05-01')).toEqual({});
  });

  describe('qualified and certified firms', () => {
    const events = [
      base,
      granted({ kind: 'HNTE', validFrom: '2021-01-01', certificateNo: 'GR1' }), // to 2023-12-31
      granted({ kind: 'HNTE', validFrom: '2022-01-01', certificateNo: 'GR2' }), // to 2024-12-31
      granted({ kind: 'SRDI_SME', validFrom: '2022-06-01' }),
      granted({ kind: 'INNOVATIVE_SME', validFrom: '2022-06-01' }),
    ];

    it('counts a firm with several qualifying certificates once, and once per kind', () => {
      expect(valuesOn(events, '2022-07-01')).toMatchObject({
        'qualified_firms|district': 1,
        'qualified_firms|zone:QL': 1,
        'qualified_by_industry|district|AI': 1,
        'certified_firms|district|HNTE': 1,
        'certified_firms|district|SRDI_SME': 1,
        'certified_firms|district|INNOVATIVE_SME': 1,
      });
    });

    it('does not qualify a firm through non-qualifying kinds', () => {
      const onlyInnovative = [base, granted({ kind: 'INNOVATIVE_SME', validFrom: '2022-06-01' })];
      expect(value(onlyInnovative, 'qualified_firms|district', '2022-07-01')).toBe(0);
      expect(value(onlyInnovative, 'certified_firms|district|INNOVATIVE_SME', '2022-07-01')).toBe(1);
    });

    it('uses the focusIndustry of the day, UNCLASSIFIED when null', () => {
      const changing = [...events, updated('2023-01-01', { focusIndustry: null })];
      expect(value(changing, 'qualified_by_industry|district|AI', '2022-12-31')).toBe(1);
      expect(value(changing, 'qualified_by_industry|district|AI', '2023-01-01')).toBe(0);
      expect(value(changing, 'qualified_by_industry|zone:QL|UNCLASSIFIED', '2023-01-01')).toBe(1);
    });

    it('ends when the last valid certificate ends or is revoked', () => {
      const withRevocation = [...events, revoked({ kind: 'SRDI_SME', effectiveOn: '2024-03-01' })];
      expect(value(withRevocation, 'qualified_firms|district', '2024-12-31')).toBe(1);
      expect(value(withRevocation, 'qualified_firms|district', '2025-01-01')).toBe(0);
      expect(value(withRevocation, 'certified_firms|district|SRDI_SME', '2024-02-29')).toBe(1);
      expect(value(withRevocation, 'certified_firms|district|SRDI_SME', '2024-03-01')).toBe(0);
    });
  });

  describe('expiring_certifications', () => {
    // validUntil 2025-06-30: expiring within 90 on d when 2025-04-01 ≤ d < 2025-06-30.
    const events = [base, granted({ kind: 'HNTE', validFrom: '2022-07-01', validUntil: '2025-06-30' })];
    const key = 'expiring_certifications|district|HNTE|90';

    it('counts a certificate valid on d whose validUntil is in (d, d + within]', () => {
      expect(value(events, key, '2025-03-31')).toBe(0); // validUntil = d + 91
      expect(value(events, key, '2025-04-01')).toBe(1); // validUntil = d + 90
      expect(value(events, key, '2025-06-29')).toBe(1);
      expect(value(events, key, '2025-06-30')).toBe(0); // validUntil = d: still valid, but not in (d, …]
      expect(value(events, 'expiring_certifications|district|HNTE|180', '2024-12-31')).toBe(0);
      expect(value(events, 'expiring_certifications|district|HNTE|180', '2025-01-01')).toBe(1); // 2025-06-30 = d + 180
      expect(value(events, 'expiring_certifications|zone:QL|HNTE|90', '2025-05-01')).toBe(1);
    });

    it('counts certificates, not firms, and only qualifying kinds', () => {
      const two = [
        ...events,
        granted({ kind: 'HNTE', certificateNo: 'GR9', validFrom: '2022-08-01', validUntil: '2025-06-01' }),
        granted({ kind: 'INNOVATIVE_SME', validFrom: '2022-07-01', validUntil: '2025-06-30' }),
      ];
      expect(value(two, key, '2025-05-01')).toBe(2);
      expect(Object.keys(valuesOn(two, '2025-05-01')).filter((k) => k.includes('INNOVATIVE_SME|'))).toEqual([]);
    });

    it('stops counting a revoked certificate and one whose validity started after d − within', () => {
      expect(value([...events, revoked({ kind: 'HNTE', effectiveOn: '2025-05-01' })], key, '2025-05-01')).toBe(0);
      const short = [base, granted({ kind: 'SRDI_GIANT', validFrom: '2025-06-01', validUntil: '2025-06-30' })];
      expect(value(short, 'expiring_certifications|district|SRDI_GIANT|90', '2025-05-31')).toBe(0);
      expect(value(short, 'expiring_certifications|district|SRDI_GIANT|90', '2025-06-01')).toBe(1);
    });
  });

  describe('new_service_platforms', () => {
    const key = 'new_service_platforms|district';
    const platform = (validFrom: string, extra: Partial<Parameters<typeof granted>[0]> = {}) =>
      granted({ kind: 'SME_SERVICE_PLATFORM', level: 'municipal', validFrom, certificateNo: `P-${validFrom}`, ...extra });

    it('counts national/municipal platform and demo-base certificates with validFrom from 2024-01-01', () => {
      const events = [base, platform('2024-01-01'), platform('2024-02-01', { kind: 'SMALL_MICRO_DEMO_BASE', level: 'national' }), platform('2023-12-31')];
      expect(value(events, key, '2023-12-31')).toBe(0);
      expect(value(events, key, '2024-01-01')).toBe(1);
      expect(value(events, key, '2024-02-01')).toBe(2);
    });

    it('does not count district-level or unlevelled ones, nor other kinds', () => {
      const events = [
        base,
        platform('2024-03-01', { level: 'district' }),
        platform('2024-04-01', { level: null }),
        platform('2024-05-01', { kind: 'SA_PARK' }),
      ];
      expect(value(events, key, '2025-01-01')).toBe(0);
    });

    it('keeps counting after validUntil, stops on revocation or when the firm leaves the district', () => {
      const events = [base, platform('2024-03-01', { validUntil: '2024-12-31' })];
      expect(value(events, key, '2026-01-01')).toBe(1);
      expect(value([...events, revoked({ kind: 'SME_SERVICE_PLATFORM', certificateNo: 'P-2024-03-01', effectiveOn: '2025-01-01' })], key, '2025-01-01')).toBe(
        0,
      );
      expect(value([...events, updated('2025-02-01', { districtCode: '110105' })], key, '2025-02-01')).toBe(0);
    });

    it('has no zone scope', () => {
      expect(Object.keys(valuesOn([base, platform('2024-03-01')], '2025-01-01')).filter((k) => k.startsWith('new_service_platforms'))).toEqual([key]);
    });
  });

  it('yields the same contributions whatever the order of the events', () => {
    const events = [
      base,
      updated('2022-03-01', { site: IN_QL_EXT }),
      registered({ establishedOn: '2019-01-01', site: NO_ZONE }, { time: '2018-01-01T00:00:00Z' }),
      granted({ kind: 'HNTE', validFrom: '2021-01-01' }),
      revoked({ kind: 'HNTE', effectiveOn: '2022-01-01' }),
      deregistered('2025-01-01'),
    ];
    const expected: SeriesInterval[] = deriveFirmContributions(events, zones);
    expect(deriveFirmContributions([...events].reverse(), zones)).toEqual(expected);
    expect(deriveFirmContributions([events[3]!, events[5]!, events[0]!, events[4]!, events[2]!, events[1]!], zones)).toEqual(expected);
  });
});
