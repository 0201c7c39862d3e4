// The simulation as a stream: firms are generated in cohorts, each cohort's records are put in
// arrival order and handed out, then forgotten. Memory is bounded by one cohort whatever the
// number of firms; a firm's history depends only on (seed, firm number), so output is reproducible.
import { dayOf, assertIsoDate } from './calendar';
import { firmHistory, SharedCalendar, type Draft } from './firms';
import type { SimulatedRecord } from './records';
import { taskReports } from './tasks';

export interface SimulationOptions {
  firms: number;
  from: string;
  to: string;
  seed?: number;
}

/** Firms per cohort: large enough to interleave many firms' records, small enough to stay bounded. */
export const COHORT_FIRMS = 1000;

export interface Cohort {
  /** Firms generated so far, this cohort included. */
  firmsDone: number;
  records: SimulatedRecord[];
}

export function checkOptions(options: SimulationOptions): { firms: number; fromDay: number; toDay: number; seed: number } {
  const { firms, seed = 1 } = options;
  if (!Number.isSafeInteger(firms) || firms < 0) throw new RangeError(`firms must be a whole number ≥ 0, got ${firms}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a whole number, got ${seed}`);
  const fromDay = dayOf(assertIsoDate('from', options.from));
  const toDay = dayOf(assertIsoDate('to', options.to));
  if (fromDay > toDay) throw new RangeError(`from (${options.from}) must not be later than to (${options.to})`);
  return { firms, fromDay, toDay, seed };
}

const byArrival = (a: Draft, b: Draft) => a.at - b.at || a.seq - b.seq;

/**
 * The simulation cohort by cohort, each in arrival order. Task reports travel with the first
 * cohort. Valid events are effective no later than `to`: replayed on or after `to`, none is
 * future-dated.
 */
export function* simulateCohorts(options: SimulationOptions): Generator<Cohort> {
  const { firms, fromDay, toDay, seed } = checkOptions(options);
  const calendar = new SharedCalendar({ seed, fromDay, toDay });
  for (let first = 0; first < firms || first === 0; first += COHORT_FIRMS) {
    const drafts: Draft[] = [];
    if (first === 0) taskReports(calendar.window, drafts);
    const end = Math.min(firms, first + COHORT_FIRMS);
    for (let n = first; n < end; n++) firmHistory(n, calendar, drafts);
    drafts.sort(byArrival);
    yield { firmsDone: end, records: drafts.map((d) => d.record) };
    if (end >= firms) return;
  }
}

/** A realistic, reproducible provider history with each record's intended disposition (see README). */
export function* simulate(options: SimulationOptions): Generator<SimulatedRecord> {
  for (const cohort of simulateCohorts(options)) yield* cohort.records;
}
