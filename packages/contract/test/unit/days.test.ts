import {
  addDays,
  addYearsToDay,
  dayNumber,
  dayNumberOrNaN,
  isMonthEnd,
  isMonthEndDay,
  isoDate,
  monthEndDay,
  monthEndDaysBetween,
  monthEndsBetween,
} from '../../src';

describe('calendar day numbers (days since 1970-01-01)', () => {
  it('numbers days and round-trips', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1969-12-31')).toBe(-1);
    for (const date of ['0001-01-01', '1600-02-29', '1990-01-01', '2024-02-29', '2026-12-31', '2060-12-31', '9999-12-31']) {
      expect(isoDate(dayNumber(date))).toBe(date);
    }
  });

  it.each([
    '2023-02-29',
    '2024-00-10',
    '2024-04-31',
    '20X4-01-01',
    '2024-01-0X',
    '2024-13-01',
    '2024-1-01',
    '20240101',
    '2024-01-01T00:00:00Z',
    '',
    '0000-01-01',
    '-001-01-01',
  ])('rejects %j', (date) => {
    expect(dayNumberOrNaN(date)).toBeNaN();
    expect(() => dayNumber(date)).toThrow(RangeError);
  });

  it('adds years with 29 February rolling over to 1 March', () => {
    expect(isoDate(addYearsToDay(dayNumber('2024-02-29'), 4))).toBe('2028-02-29');
    expect(isoDate(addYearsToDay(dayNumber('2024-02-29'), 3))).toBe('2027-03-01');
    expect(isoDate(addYearsToDay(dayNumber('2023-12-12'), 3))).toBe('2026-12-12');
  });

  it('knows month ends', () => {
    expect(isMonthEndDay(dayNumber('2024-02-29'))).toBe(true);
    expect(isMonthEndDay(dayNumber('2023-02-28'))).toBe(true);
    expect(isMonthEndDay(dayNumber('2024-02-28'))).toBe(false);
    expect(isoDate(monthEndDay(dayNumber('2024-02-10')))).toBe('2024-02-29');
    expect(monthEndDaysBetween(dayNumber('2023-12-31'), dayNumber('2024-03-30')).map(isoDate)).toEqual(['2023-12-31', '2024-01-31', '2024-02-29']);
    expect(monthEndDaysBetween(dayNumber('2024-01-01'), dayNumber('2024-01-30'))).toEqual([]);
  });

  it('agrees with the UTC calendar of Date day by day over 1899..2101', () => {
    const wrong: string[] = [];
    for (let n = dayNumber('1899-01-01'); n <= dayNumber('2101-12-31'); n++) {
      const utc = new Date(n * 86_400_000);
      const date = utc.toISOString().slice(0, 10);
      const lastOfMonth = new Date((n + 1) * 86_400_000).getUTCDate() === 1;
      if (isoDate(n) !== date || dayNumber(date) !== n || isMonthEndDay(n) !== lastOfMonth || isMonthEnd(date) !== lastOfMonth) wrong.push(date);
    }
    expect(wrong).toEqual([]);
    expect(monthEndsBetween('1899-01-01', '2101-12-31')).toHaveLength(203 * 12);
    expect(addDays('2101-12-31', 1)).toBe('2102-01-01');
  });
});
