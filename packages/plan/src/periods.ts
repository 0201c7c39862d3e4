// Reporting periods of plan tasks: calendar quarters written `YYYY-Qn` (events.md).
// Days are `YYYY-MM-DD` strings, which order correctly as plain strings.

export type QuarterNumber = 1 | 2 | 3 | 4;

export interface Quarter {
  year: number;
  quarter: QuarterNumber;
}

const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

/** First and last month-day of each quarter; quarter ends never depend on leap years. */
const QUARTER_BOUNDS: Record<QuarterNumber, { first: string; last: string }> = {
  1: { first: '01-01', last: '03-31' },
  2: { first: '04-01', last: '06-30' },
  3: { first: '07-01', last: '09-30' },
  4: { first: '10-01', last: '12-31' },
};

/** `2025-Q3` → `{ year: 2025, quarter: 3 }`; null when not exactly `YYYY-Qn` with n in 1..4. */
export function parseQuarter(period: string): Quarter | null {
  const match = QUARTER_PATTERN.exec(period);
  if (!match) return null;
  return { year: Number(match[1]), quarter: Number(match[2]) as QuarterNumber };
}

export function isQuarterPeriod(period: string): boolean {
  return parseQuarter(period) !== null;
}

export function formatQuarter(q: Quarter): string {
  return `${String(q.year).padStart(4, '0')}-Q${q.quarter}`;
}

function requireQuarter(period: string | Quarter): Quarter {
  if (typeof period !== 'string') return period;
  const q = parseQuarter(period);
  if (!q) throw new RangeError(`not a quarter period (YYYY-Qn): ${JSON.stringify(period)}`);
  return q;
}

/** `2024-Q1` → `2024-01-01`. */
export function quarterFirstDay(period: string | Quarter): string {
  const q = requireQuarter(period);
  return `${String(q.year).padStart(4, '0')}-${QUARTER_BOUNDS[q.quarter].first}`;
}

/** `2024-Q1` → `2024-03-31`. */
export function quarterLastDay(period: string | Quarter): string {
  const q = requireQuarter(period);
  return `${String(q.year).padStart(4, '0')}-${QUARTER_BOUNDS[q.quarter].last}`;
}

/** The quarter a day `YYYY-MM-DD` falls in. */
export function quarterOf(day: string): Quarter {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(day);
  const month = match ? Number(match[2]) : NaN;
  if (!match || month < 1 || month > 12) throw new RangeError(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return { year: Number(match[1]), quarter: Math.ceil(month / 3) as QuarterNumber };
}

export function previousQuarter(q: Quarter): Quarter {
  return q.quarter === 1 ? { year: q.year - 1, quarter: 4 } : { year: q.year, quarter: (q.quarter - 1) as QuarterNumber };
}

/** Negative when a is earlier than b, 0 when equal. */
export function compareQuarters(a: Quarter, b: Quarter): number {
  return a.year - b.year || a.quarter - b.quarter;
}

/**
 * The last closed quarter on day d. A quarter is closed when d is after its last day, so the
 * quarter containing d (even on its last day) is still open: the closed one is the one before.
 */
export function lastClosedQuarter(day: string): Quarter {
  return previousQuarter(quarterOf(day));
}
