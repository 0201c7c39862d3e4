// The log replayed under faults: records as published, each with the disposition it is meant to
// get (accepted, duplicate, rejected + reason). From a fixture (shared/fixtures) or, when
// packages/simulator is built, from the simulator at any size.
import { loadDispositions, loadExpected, loadFixtureRecords, type FixtureExpected } from '@siliconalley/testkit';

export type Intended = 'accepted' | 'duplicate' | 'rejected';

export interface LogRecord {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
  intended: Intended;
  reason: string | null;
}

export interface ChaosLog {
  name: string;
  /** Records in publication order (may be generated lazily). */
  records: () => Iterable<LogRecord>;
  /** First and last month of the log's dates: KPIs are compared on every month end between. */
  from: string;
  to: string;
  /** Exact KPI entries to compare as well, when the log is a fixture with expected results. */
  expected?: FixtureExpected;
}

export function fixtureLog(name = 'small'): ChaosLog {
  const records = loadFixtureRecords(name);
  const dispositions = loadDispositions(name);
  if (dispositions.length !== records.length) throw new Error(`fixture ${name}: ${records.length} records but ${dispositions.length} dispositions`);
  const expected = loadExpected(name);
  const dates = Object.keys(expected.asOf).sort();
  return {
    name: `fixture ${name}`,
    records: () => records.map((r, i) => ({ ...r, intended: dispositions[i]!.disposition, reason: dispositions[i]!.reason ?? null })),
    from: '2015-01-01',
    to: dates[dates.length - 1]!,
    expected,
  };
}

export interface SimulateOptions {
  firms: number;
  from: string;
  to: string;
  seed?: number;
}

type Simulate = (options: SimulateOptions) => Generator<LogRecord>;

/** packages/simulator's `simulate`, or null while it is not built. */
export function loadSimulator(): Simulate | null {
  try {
    // Resolved at run time: the simulator is built by its own workspace (optional for this package).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('@siliconalley/simulator') as { simulate?: Simulate };
    return typeof mod.simulate === 'function' ? mod.simulate : null;
  } catch {
    return null;
  }
}

export function simulatedLog(options: SimulateOptions, simulate: Simulate): ChaosLog {
  return {
    name: `simulated ${options.firms} firms ${options.from}..${options.to} seed ${options.seed ?? 'default'}`,
    records: () => simulate(options),
    from: options.from,
    to: options.to,
  };
}

/**
 * How many firms make a simulated log of about `records` records. A log is not proportional to its
 * firms: some records do not scale with firms (the plan's task reports, for one; a 200-firm
 * sample gives 4.7 records a firm, 50,000 firms 2.9), so scaling one small sample overshot a 1M-record
 * ask by 38 %. Two samples fit records = fixed + perFirm × firms, and that line is solved for the ask.
 */
export function firmsForRecords(records: number, countRecords: (firms: number) => number, samples: [number, number] = [2000, 10000]): number {
  const [a, b] = samples;
  const [na, nb] = [countRecords(a), countRecords(b)];
  const perFirm = (nb - na) / (b - a);
  if (!(perFirm > 0)) throw new Error(`the simulator gave ${na} records for ${a} firms and ${nb} for ${b}: cannot size a log from that`);
  const fixed = na - perFirm * a;
  return Math.max(1, Math.round((records - fixed) / perFirm));
}

/**
 * A poison record: a valid event (a copy of the log's first accepted structured registration with a
 * new id containing `marker`) whose storage throws under the test-only fault hook
 * (STORAGE_FAULT_ENV of packages/config, honoured by the ingest service under NODE_ENV=test). It must end in the dead-letter topic as
 * `processing_failed`, without blocking its partition.
 */
export function poisonRecord(log: Iterable<LogRecord>, marker: string, limit = 100000): LogRecord {
  let n = 0;
  for (const r of log) {
    if (++n > limit) break;
    if (r.intended !== 'accepted' || r.headers.ce_id !== undefined || !r.value.startsWith('{')) continue;
    let v: { id?: unknown; type?: unknown } & Record<string, unknown>;
    try {
      v = JSON.parse(r.value) as typeof v;
    } catch {
      continue;
    }
    if (typeof v.id !== 'string' || typeof v.type !== 'string' || !v.type.endsWith('.enterprise.registered.v1')) continue;
    return { ...r, value: JSON.stringify({ ...v, id: `${marker}-${v.id}` }), intended: 'rejected', reason: 'processing_failed' };
  }
  throw new Error('the log has no accepted structured enterprise.registered record to derive a poison record from');
}
