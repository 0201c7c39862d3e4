// Assessment periods: a calendar year `YYYY`, quarter `YYYY-Qn` or month `YYYY-MM` (api.md). An
// assessment reads everything as of the period's last day, so a period can be assessed only once
// that day is over in China time (the plan's clock).
import { daysInMonth, isIsoDate } from '@siliconalley/contract';

export type PeriodKind = 'year' | 'quarter' | 'month';

export interface Period {
  /** `2025`, `2025-Q4` or `2025-10`. */
  id: string;
  kind: PeriodKind;
  /** First and last day, inclusive. */
  start: string;
  end: string;
}

/** The plan runs 2024–2026: the first periods assessed are those of 2024. */
export const FIRST_ASSESSED_YEAR = 2024;

export class PeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeriodError';
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function monthPeriod(year: number, month: number): Period {
  return {
    id: `${pad(year, 4)}-${pad(month)}`,
    kind: 'month',
    start: `${pad(year, 4)}-${pad(month)}-01`,
    end: `${pad(year, 4)}-${pad(month)}-${pad(daysInMonth(year, month))}`,
  };
}

function quarterPeriod(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1;
  return { id: `${pad(year, 4)}-Q${quarter}`, kind: 'quarter', start: monthPeriod(year, first).start, end: monthPeriod(year, first + 2).end };
}

function yearPeriod(year: number): Period {
  return { id: pad(year, 4), kind: 'year', start: `${pad(year, 4)}-01-01`, end: `${pad(year, 4)}-12-31` };
}

const PATTERNS: { re: RegExp; make: (m: RegExpExecArray) => Period | null }[] = [
  { re: /^(\d{4})$/, make: (m) => yearPeriod(Number(m[1])) },
  { re: /^(\d{4})-Q([1-4])$/, make: (m) => quarterPeriod(Number(m[1]), Number(m[2])) },
  { re: /^(\d{4})-(0[1-9]|1[0-2])$/, make: (m) => monthPeriod(Number(m[1]), Number(m[2])) },
];

/** `2025-Q4` → the period; a PeriodError with an example of each form for anything else. */
export function parsePeriod(text: string): Period {
  for (const { re, make } of PATTERNS) {
    const m = re.exec(text);
    const period = m && make(m);
    if (period) return period;
  }
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  throw new PeriodError(`${shown} is not a period: write a year (2025), a quarter (2025-Q4) or a month (2025-10)`);
}

/**
 * A period that can be assessed on `today` (China date): closed (its last day is over) and not
 * before the plan. Throws a PeriodError that says which rule failed.
 */
export function closedPeriod(text: string, today: string): Period {
  const period = parsePeriod(text);
  if (!isIsoDate(today)) throw new RangeError(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  if (period.end >= today) {
    throw new PeriodError(`${period.id} is not over yet (it ends ${period.end}; today is ${today} in China time): only closed periods are assessed`);
  }
  if (Number(period.id.slice(0, 4)) < FIRST_ASSESSED_YEAR) {
    throw new PeriodError(`${period.id} is before the plan: assessments start with ${FIRST_ASSESSED_YEAR}`);
  }
  return period;
}

/** The period of the same kind just before `period` (2024-Q1 → 2023-Q4). */
export function previousPeriod(period: Period): Period {
  const year = Number(period.id.slice(0, 4));
  if (period.kind === 'year') return yearPeriod(year - 1);
  if (period.kind === 'quarter') {
    const q = Number(period.id.slice(6));
    return q === 1 ? quarterPeriod(year - 1, 4) : quarterPeriod(year, q - 1);
  }
  const month = Number(period.id.slice(5));
  return month === 1 ? monthPeriod(year - 1, 12) : monthPeriod(year, month - 1);
}

function nextPeriod(period: Period): Period {
  const year = Number(period.id.slice(0, 4));
  if (period.kind === 'year') return yearPeriod(year + 1);
  if (period.kind === 'quarter') {
    const q = Number(period.id.slice(6));
    return q === 4 ? quarterPeriod(year + 1, 1) : quarterPeriod(year, q + 1);
  }
  const month = Number(period.id.slice(5));
  return month === 12 ? monthPeriod(year + 1, 1) : monthPeriod(year, month + 1);
}

const FIRST: Record<PeriodKind, () => Period> = {
  month: () => monthPeriod(FIRST_ASSESSED_YEAR, 1),
  quarter: () => quarterPeriod(FIRST_ASSESSED_YEAR, 1),
  year: () => yearPeriod(FIRST_ASSESSED_YEAR),
};

/**
 * The closed periods of `kind` after `lastCompleted` (or from the plan's first one when null) up to
 * the latest closed on `today`, oldest first: what a scheduler that was down has to catch up.
 */
export function periodsDue(kind: PeriodKind, lastCompleted: string | null, today: string): Period[] {
  const due: Period[] = [];
  let p = lastCompleted ? nextPeriod(parsePeriod(lastCompleted)) : FIRST[kind]();
  if (p.kind !== kind) throw new PeriodError(`last completed ${lastCompleted} is not a ${kind}`);
  for (; p.end < today; p = nextPeriod(p)) due.push(p);
  return due;
}

export const PERIOD_KINDS: readonly PeriodKind[] = ['month', 'quarter', 'year'];
