import { dayNumber, defaultValidUntil, isoDate, monthEndDaysBetween } from '../../src';

describe('days', () => {
  it('numbers days from 1970-01-01 and round-trips', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1969-12-31')).toBe(-1);
    for (const date of ['1990-01-01', '2024-02-29', '2026-12-31', '2060-12-31']) expect(isoDate(dayNumber(date))).toBe(date);
  });

  it.each(['2023-02-29', '2024-00-10', '2024-04-31', '20X4-01-01', '2024-01-0X', '2024-13-01', '2024-1-01', '20240101', '2024-01-01T00:00:00Z', ''])(
    'rejects %j',
    (date) => {
      expect(() => dayNumber(date)).toThrow(RangeError);
    },
  );

  it('applies the 3-year default validity: validFrom + 3 years − 1 day', () => {
    expect(isoDate(defaultValidUntil(dayNumber('2024-02-29')))).toBe('2027-02-28');
    expect(isoDate(defaultValidUntil(dayNumber('2023-12-12')))).toBe('2026-12-11');
    expect(isoDate(defaultValidUntil(dayNumber('2023-03-01')))).toBe('2026-02-28');
  });

  it('lists month ends as day numbers (the contract calendar)', () => {
    expect(monthEndDaysBetween(dayNumber('2023-12-31'), dayNumber('2024-03-30')).map(isoDate)).toEqual(['2023-12-31', '2024-01-31', '2024-02-29']);
    expect(monthEndDaysBetween(dayNumber('2024-01-01'), dayNumber('2024-01-30'))).toEqual([]);
  });
});
