import { dayNumber, isoDate } from '@siliconalley/kpi-engine';
import { firmsNeeded, judgeTarget, linearV1Status, olsForecast, type KpiReader, type TargetDefinition } from '../../src';

const platforms: TargetDefinition = {
  id: 'T',
  kpi: 'new_service_platforms',
  scope: 'district',
  baselineDate: '2023-12-31',
  baselineValue: 0,
  target: { value: 2 },
  due: '2026-12-31',
  method: 'linear-v1',
};

/** A reader over a function of the day, recording what it was asked. */
function reader(valueOn: (date: string) => number | null): KpiReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    value: (ref, asOf) => {
      asked.push(`${ref.id}|${ref.scope}@${asOf}`);
      return valueOn(asOf);
    },
  };
}

describe('olsForecast', () => {
  it('fits a line and reads it; null under three points', () => {
    expect(
      olsForecast(
        [
          { x: 0, y: 1 },
          { x: 1, y: 3 },
          { x: 2, y: 5 },
        ],
        10,
      ),
    ).toBeCloseTo(21, 12);
    expect(
      olsForecast(
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
          { x: 2, y: 0 },
        ],
        2,
      ),
    ).toBeCloseTo(1 / 3, 12);
    expect(
      olsForecast(
        [
          { x: 0, y: 1 },
          { x: 1, y: 3 },
        ],
        10,
      ),
    ).toBeNull();
  });
});

describe('linearV1Status: the first that applies', () => {
  const base = { pastDue: false, actual: 5, baseline: 0, target: 10, ratio: 1, forecast: 12 };
  it.each([
    ['missed', { pastDue: true, actual: 9.9 }],
    ['achieved', { pastDue: true, actual: 10 }],
    ['achieved', { actual: 11, ratio: 0.1 }],
    ['regressing', { actual: -1, ratio: -0.1 }],
    ['on_track', { ratio: 0.95 }],
    ['on_track', { ratio: null, forecast: null }],
    ['on_track', { ratio: 2, forecast: 10 }],
    ['at_risk', { ratio: 0.949 }],
    ['at_risk', { ratio: 0.5, forecast: 20 }],
    ['at_risk', { ratio: 1.2, forecast: 9 }],
    ['at_risk', { ratio: null, forecast: 9 }],
    ['lagging', { ratio: 0.499 }],
    ['lagging', { ratio: 0, forecast: 0 }],
  ] as const)('%s for %j', (status, overrides) => {
    expect(linearV1Status({ ...base, ...overrides })).toBe(status);
  });
});

describe('firmsNeeded', () => {
  it('finds the smallest n with (qZone + n) / (qDistrict + n) ≥ goal', () => {
    expect(firmsNeeded(34, 157, 34 / 157)).toBe(0);
    expect(firmsNeeded(34, 157, (1.5 * 34) / 157)).toBe(26);
    expect(firmsNeeded(1, 4, 0.5)).toBe(2); // 3/6
    expect(firmsNeeded(0, 0, 0.5)).toBe(1);
  });

  it('is null when the goal cannot be reached', () => {
    expect(firmsNeeded(3, 4, 1)).toBeNull();
    expect(firmsNeeded(3, 4, 1.2)).toBeNull();
    expect(firmsNeeded(4, 4, 1)).toBe(0);
  });
});

describe('judgeTarget', () => {
  it('follows the straight path and clamps it at the due date', () => {
    const kpis = reader(() => 1);
    expect(judgeTarget(platforms, '2023-12-31', kpis).expected).toBe(0);
    expect(judgeTarget(platforms, '2025-06-30', kpis).expected).toBeCloseTo((2 * 547) / 1096, 15);
    expect(judgeTarget(platforms, '2026-12-31', kpis).expected).toBe(2);
    expect(judgeTarget(platforms, '2027-06-30', kpis).expected).toBe(2);
  });

  it('reads the baseline from the KPI when no value is configured and applies the multiplier', () => {
    const share: TargetDefinition = { ...platforms, kpi: 'zone_share', scope: 'zone:QL', baselineValue: undefined, target: { multiplier: 1.5 } };
    const kpis: KpiReader = {
      value: (ref, asOf) => (ref.id === 'zone_share' ? (asOf === '2023-12-31' ? 0.2 : 0.25) : ref.scope === 'district' ? 100 : 25),
    };
    const judged = judgeTarget(share, '2025-06-30', kpis);
    expect([judged.baseline, judged.target, judged.actual]).toEqual([0.2, 0.2 * 1.5, 0.25]);
    expect(judged.gapToPath).toBeCloseTo(judged.expected! - 0.25, 15);
    // toPath: (25 + n)/(100 + n) ≥ E; toTarget: ≥ 0.3 → n ≥ 7.14…
    expect(judged.firmsNeeded).toEqual({ toPath: firmsNeeded(25, 100, judged.expected!), toTarget: 8 });
  });

  it('forecasts through month ends from t0 to d, skipping nulls, t0 and d only when month ends', () => {
    const kpis = reader((date) => (date === '2024-02-29' ? null : (dayNumber(date) - dayNumber('2023-12-31')) / 548));
    const judged = judgeTarget(platforms, '2024-04-15', kpis);
    const monthEnds = kpis.asked.filter((q) => q.startsWith('new_service_platforms')).map((q) => q.split('@')[1]);
    expect(monthEnds).toEqual(['2024-04-15', '2023-12-31', '2024-01-31', '2024-02-29', '2024-03-31']);
    // A straight line through (0,0) at slope 1/548 reads 1096/548 = 2 at t1 − t0.
    expect(judged.forecast).toBeCloseTo(2, 12);
    expect(
      judgeTarget(
        platforms,
        '2024-02-28',
        reader(() => 1),
      ).forecast,
    ).toBeNull(); // points 12-31, 01-31 only
    expect(
      judgeTarget(
        platforms,
        '2024-02-29',
        reader(() => 1),
      ).forecast,
    ).toBe(1); // d is a month end: 3 points
  });

  it('is missed after the due date below target, and has no ratio on the baseline day', () => {
    const kpis = reader(() => 1);
    expect(judgeTarget(platforms, '2027-01-01', kpis).status).toBe('missed');
    const first = judgeTarget(
      platforms,
      '2023-12-31',
      reader(() => 0),
    );
    expect([first.ratio, first.forecast, first.status]).toEqual([null, null, 'on_track']);
  });

  it('leaves status null when the KPI has no value', () => {
    const judged = judgeTarget(
      { ...platforms, baselineValue: undefined },
      '2025-01-01',
      reader(() => null),
    );
    expect([judged.baseline, judged.target, judged.actual, judged.status, judged.gapToPath]).toEqual([null, null, null, null, null]);
  });

  it('carries the definition and method in the result (api.md shape)', () => {
    const judged = judgeTarget(
      platforms,
      '2025-06-30',
      reader(() => 1),
    );
    expect(judged).toMatchObject({
      id: 'T',
      kpi: 'new_service_platforms',
      scope: 'district',
      baselineDate: '2023-12-31',
      due: '2026-12-31',
      method: 'linear-v1',
    });
    expect(judged.firmsNeeded).toBeUndefined();
    expect(isoDate(dayNumber('2025-06-30'))).toBe('2025-06-30');
  });
});
