// The as-of day every read route takes: a calendar day in China time, not in the future, and not
// before the KPI engine's first day (schema fuzzing found a 500 for asOf=0190-06-03).
import { DEFAULT_FIRST_DATE } from '@siliconalley/kpi-engine';
import { asOfDate, decompositionQuery, describeIssues, kpisQuery, partialTurnoverQuery, seriesQuery, targetsQuery } from '../../src';

const now = () => new Date('2026-11-26T04:00:00Z');
const issues = (r: { success: boolean; error?: unknown }) => (r.success ? '' : describeIssues(r.error as never));

describe('asOfDate', () => {
  it('accepts the first day of the engine up to today (China time)', () => {
    for (const d of [DEFAULT_FIRST_DATE, '2025-06-30', '2026-11-26']) expect(asOfDate(now).safeParse(d).success).toBe(true);
  });

  it.each(['0190-06-03', '1704-02-29', '1989-12-31', '0001-01-01'])('refuses %s, before the first day, with a 400-worthy message', (d) => {
    const r = asOfDate(now).safeParse(d);
    expect(r.success).toBe(false);
    expect(issues(r)).toBe(`is before ${DEFAULT_FIRST_DATE}: KPIs are computed from that day on`);
  });

  it('refuses the future and non-dates with their own message only', () => {
    expect(issues(asOfDate(now).safeParse('2026-11-27'))).toBe('is in the future (China time): KPIs are known up to today');
    expect(issues(asOfDate(now).safeParse('2025-02-30'))).toMatch(/^must be a calendar date YYYY-MM-DD/);
    expect(issues(asOfDate(now).safeParse('x'))).not.toMatch(/before/);
  });

  it('guards every query that takes a day', () => {
    expect(issues(kpisQuery(now).safeParse({ asOf: '0190-06-03' }))).toMatch(/^asOf: is before/);
    expect(issues(targetsQuery(now).safeParse({ asOf: '1391-01-26' }))).toMatch(/^asOf: is before/);
    expect(issues(seriesQuery(now).safeParse({ id: 'unlocated_firms', scope: 'district', from: '1704-02-23', to: '2026-11-26' }))).toMatch(/^from: is before/);
    expect(issues(decompositionQuery(now).safeParse({ from: '0322-11-22', to: '2024-07-10' }))).toMatch(/^from: is before/);
    expect(issues(partialTurnoverQuery(now).safeParse({ id: 'qualified_firms', scope: 'district', from: '2023-12-31', to: '2026-11-27' }))).toMatch(
      /^to: is in the future/,
    );
    expect(issues(partialTurnoverQuery(now).safeParse({ id: 'qualified_firms', scope: 'district', from: '1989-12-31', to: '2025-06-30' }))).toMatch(
      /^from: is before/,
    );
    // Either order: swapping the days swaps gained and lost.
    expect(partialTurnoverQuery(now).safeParse({ id: 'qualified_firms', scope: 'zone:QL', from: '2025-06-30', to: '2023-12-31' }).success).toBe(true);
  });
});
