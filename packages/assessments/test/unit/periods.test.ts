import { closedPeriod, parsePeriod, PeriodError, periodsDue, previousPeriod } from '../../src';

describe('periods', () => {
  it('parses years, quarters and months with their first and last days', () => {
    expect(parsePeriod('2024')).toEqual({ id: '2024', kind: 'year', start: '2024-01-01', end: '2024-12-31' });
    expect(parsePeriod('2025-Q4')).toEqual({ id: '2025-Q4', kind: 'quarter', start: '2025-10-01', end: '2025-12-31' });
    expect(parsePeriod('2024-02')).toEqual({ id: '2024-02', kind: 'month', start: '2024-02-01', end: '2024-02-29' });
    expect(parsePeriod('2026-02').end).toBe('2026-02-28');
  });

  it.each(['2025-Q5', '2025-13', '2025-00', '25-Q1', '2025-q1', '../../etc', '2025-Q1 ', '', '2025-1'])('refuses %j with an example of each form', (text) => {
    expect(() => parsePeriod(text)).toThrow(PeriodError);
    expect(() => parsePeriod(text)).toThrow(/2025-Q4/);
  });

  it('assesses only closed periods of the plan', () => {
    expect(closedPeriod('2025-Q4', '2026-01-01').end).toBe('2025-12-31');
    expect(() => closedPeriod('2025-Q4', '2025-12-31')).toThrow(/not over yet/);
    expect(() => closedPeriod('2027', '2026-11-26')).toThrow(/not over yet/);
    expect(() => closedPeriod('2023-12', '2026-11-26')).toThrow(/before the plan/);
  });

  it('steps back one period of the same kind across years', () => {
    expect(previousPeriod(parsePeriod('2024-Q1')).id).toBe('2023-Q4');
    expect(previousPeriod(parsePeriod('2024-01')).end).toBe('2023-12-31');
    expect(previousPeriod(parsePeriod('2025')).id).toBe('2024');
    expect(previousPeriod(parsePeriod('2025-03')).id).toBe('2025-02');
  });

  it('lists the periods a stopped scheduler must catch up, oldest first', () => {
    expect(periodsDue('month', null, '2024-04-01').map((p) => p.id)).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(periodsDue('month', '2024-02', '2024-04-01').map((p) => p.id)).toEqual(['2024-03']);
    expect(periodsDue('month', '2024-03', '2024-04-01')).toEqual([]);
    expect(periodsDue('quarter', null, '2024-12-31').map((p) => p.id)).toEqual(['2024-Q1', '2024-Q2', '2024-Q3']);
    expect(periodsDue('quarter', '2024-Q3', '2025-01-01').map((p) => p.id)).toEqual(['2024-Q4']);
    expect(periodsDue('year', null, '2026-11-26').map((p) => p.id)).toEqual(['2024', '2025']);
    expect(() => periodsDue('year', '2024-Q1', '2026-01-01')).toThrow(PeriodError);
  });
});
