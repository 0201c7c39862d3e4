// The backend bench's comparison: one measure on FerretDB-on-SQLite and FerretDB-on-PostgreSQL,
// as a printed table (with the raw postgresql/sqlite ratio) and as results-file figures (SQLite as
// the baseline, ratio in the file's convention: > 1 means PostgreSQL did better).
import type { Figure } from './results';
import { grouped } from './stats';

export interface BackendMeasure {
  what: string;
  unit: string;
  /** Throughput: true; latency, disk: false. */
  higherIsBetter: boolean;
  sqlite: number;
  postgresql: number;
  /** Samples or documents behind each value, when they differ between the backends (time-capped measures). */
  n?: { sqlite: number; postgresql: number };
}

/** > 1: PostgreSQL did better (faster, or smaller), whichever way the unit reads. */
export const postgresAdvantage = (m: BackendMeasure): number => (m.higherIsBetter ? m.postgresql / m.sqlite : m.sqlite / m.postgresql);

export function backendFigures(measures: readonly BackendMeasure[]): Figure[] {
  return measures.map((m) => ({
    what: `${m.what}: FerretDB on PostgreSQL`,
    value: m.postgresql,
    unit: m.unit,
    baseline: { what: 'FerretDB on SQLite', value: m.sqlite },
    ratio: postgresAdvantage(m),
  }));
}

const show = (value: number): string => grouped(value, Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);

/** measure │ sqlite │ postgresql │ postgresql/sqlite │ better */
export function backendTable(measures: readonly BackendMeasure[]): string {
  const rows: string[][] = [['measure', 'sqlite', 'postgresql', 'postgresql/sqlite', 'better']];
  for (const m of measures) {
    const n = (which: 'sqlite' | 'postgresql') => (m.n ? ` (n=${grouped(m.n[which])})` : '');
    const advantage = postgresAdvantage(m);
    rows.push([
      m.what,
      `${show(m.sqlite)} ${m.unit}${n('sqlite')}`,
      `${show(m.postgresql)} ${m.unit}${n('postgresql')}`,
      `${(m.postgresql / m.sqlite).toFixed(2)}×`,
      !Number.isFinite(advantage)
        ? '?'
        : Math.abs(advantage - 1) < 0.05
          ? 'same (±5%)'
          : advantage > 1
            ? `postgresql ${advantage.toFixed(1)}×`
            : `sqlite ${(1 / advantage).toFixed(1)}×`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(' │ ');
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...rows.slice(1).map(line)].join('\n');
}
