import {
  addDays,
  addYears,
  chinaDateOf,
  daysBetween,
  daysInMonth,
  isIsoDate,
  isLeapYear,
  isMonthEnd,
  isRfc3339Timestamp,
  monthEnd,
  monthEndsBetween,
  parseIsoDate,
} from '../../src';

describe('calendar dates YYYY-MM-DD', () => {
  it('knows leap years, century rule included', () => {
    expect([2024, 2000, 2400].map(isLeapYear)).toEqual([true, true, true]);
    expect([2023, 1900, 2100].map(isLeapYear)).toEqual([false, false, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });

  it.each(['2024-02-29', '2000-02-29', '2023-12-31', '2026-01-01', '1999-04-30'])('accepts %s', (d) => {
    expect(isIsoDate(d)).toBe(true);
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2024-02-30',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-4-1',
    '31/12/2020',
    '2024-01-01T00:00:00Z',
    'yesterday',
    '',
    '0000-01-01',
  ])('refuses %j', (d) => {
    expect(isIsoDate(d)).toBe(false);
    expect(() => parseIsoDate(d)).toThrow(RangeError);
  });

  it('refuses non-strings', () => {
    expect(isIsoDate(20240101)).toBe(false);
    expect(isIsoDate(null)).toBe(false);
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
    expect(addDays('1970-01-01', 0)).toBe('1970-01-01');
    expect(addDays('1969-12-31', 1)).toBe('1970-01-01');
  });

  it('counts days between dates', () => {
    expect(daysBetween('2023-12-31', '2026-12-31')).toBe(1096);
    expect(daysBetween('2024-07-10', '2024-07-10')).toBe(0);
    expect(daysBetween('2025-01-01', '2024-01-01')).toBe(-366);
  });

  it('adds years, rolling 29 February over to 1 March in a common year', () => {
    expect(addYears('2023-12-12', 3)).toBe('2026-12-12');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-29', 3)).toBe('2027-03-01');
    expect(addYears('2024-02-29', -1)).toBe('2023-03-01');
  });

  it('finds month ends', () => {
    expect(monthEnd('2024-02-10')).toBe('2024-02-29');
    expect(monthEnd('2023-02-10')).toBe('2023-02-28');
    expect(isMonthEnd('2026-02-28')).toBe(true);
    expect(isMonthEnd('2026-03-01')).toBe(false);
    expect(monthEndsBetween('2023-12-31', '2024-03-30')).toEqual(['2023-12-31', '2024-01-31', '2024-02-29']);
    expect(monthEndsBetween('2024-01-01', '2024-01-30')).toEqual([]);
  });
});

describe('chinaDateOf: the day in China time (UTC+8)', () => {
  it('turns the day over at 16:00 UTC', () => {
    expect(chinaDateOf(new Date('2026-11-26T15:59:59.999Z'))).toBe('2026-11-26');
    expect(chinaDateOf(new Date('2026-11-26T16:00:00Z'))).toBe('2026-11-27');
    expect(chinaDateOf(new Date('2024-02-28T17:00:00Z'))).toBe('2024-02-29');
    expect(chinaDateOf(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
  });
});

describe('isRfc3339Timestamp', () => {
  it.each(['2025-10-10T02:00:00Z', '2025-10-10T10:00:00+08:00', '2025-10-10T02:00:00.123456Z', '2024-02-29t23:59:59z', '2025-10-10T02:00:00-05:30'])(
    'accepts %s',
    (t) => expect(isRfc3339Timestamp(t)).toBe(true),
  );
  it.each([
    '2025-10-10',
    '2025-10-10 02:00:00Z',
    '2025-10-10T02:00:00',
    '2023-02-29T00:00:00Z',
    '2025-10-10T24:00:00Z',
    '2025-10-10T02:60:00Z',
    '2016-12-31T23:59:60Z',
    '2025-10-10T02:00:00+0800',
    1728525600,
  ])('refuses %j', (t) => expect(isRfc3339Timestamp(t)).toBe(false));
});
