import {
  compareQuarters,
  formatQuarter,
  isQuarterPeriod,
  lastClosedQuarter,
  parseQuarter,
  previousQuarter,
  quarterFirstDay,
  quarterLastDay,
  quarterOf,
} from '../../src';

describe('quarter periods YYYY-Qn', () => {
  it('parses well-formed periods only', () => {
    expect(parseQuarter('2025-Q3')).toEqual({ year: 2025, quarter: 3 });
    for (const bad of ['2025-Q0', '2025-Q5', '2025Q3', '25-Q3', '2025-q3', '2025-Q3 ', ' 2025-Q3', '2025-03', '']) {
      expect(parseQuarter(bad)).toBeNull();
      expect(isQuarterPeriod(bad)).toBe(false);
    }
  });

  it.each([
    ['2024-Q1', '2024-01-01', '2024-03-31'],
    ['2024-Q2', '2024-04-01', '2024-06-30'],
    ['2024-Q3', '2024-07-01', '2024-09-30'],
    ['2024-Q4', '2024-10-01', '2024-12-31'],
  ])('%s runs from %s to %s', (period, first, last) => {
    expect(quarterFirstDay(period)).toBe(first);
    expect(quarterLastDay(period)).toBe(last);
    expect(quarterFirstDay(parseQuarter(period)!)).toBe(first);
  });

  it('refuses to compute days of a malformed period', () => {
    expect(() => quarterLastDay('2024-Q9')).toThrow(RangeError);
  });

  it('finds the quarter of a day and the one before', () => {
    expect(quarterOf('2025-03-31')).toEqual({ year: 2025, quarter: 1 });
    expect(quarterOf('2025-04-01')).toEqual({ year: 2025, quarter: 2 });
    expect(quarterOf('2025-12-31')).toEqual({ year: 2025, quarter: 4 });
    expect(() => quarterOf('2025-13-01')).toThrow(RangeError);
    expect(previousQuarter({ year: 2025, quarter: 1 })).toEqual({ year: 2024, quarter: 4 });
    expect(previousQuarter({ year: 2025, quarter: 3 })).toEqual({ year: 2025, quarter: 2 });
    expect(formatQuarter({ year: 2025, quarter: 2 })).toBe('2025-Q2');
  });

  it('orders quarters', () => {
    expect(compareQuarters({ year: 2024, quarter: 4 }, { year: 2025, quarter: 1 })).toBeLessThan(0);
    expect(compareQuarters({ year: 2025, quarter: 2 }, { year: 2025, quarter: 1 })).toBeGreaterThan(0);
    expect(compareQuarters({ year: 2025, quarter: 2 }, { year: 2025, quarter: 2 })).toBe(0);
  });

  it('closes a quarter only once its last day has passed', () => {
    expect(formatQuarter(lastClosedQuarter('2025-09-30'))).toBe('2025-Q2');
    expect(formatQuarter(lastClosedQuarter('2025-10-01'))).toBe('2025-Q3');
    expect(formatQuarter(lastClosedQuarter('2026-01-01'))).toBe('2025-Q4');
    expect(formatQuarter(lastClosedQuarter('2026-03-31'))).toBe('2025-Q4');
  });
});
