// One results file for every bench (bench/results/latest.json at the repository root): each bench
// replaces its own entry, so the file always holds the latest figure of every bench, and any bench
// can print the whole table (the last one `npm run bench` runs prints the complete summary).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '@siliconalley/devstack';
import { grouped } from './stats';

export const resultsFile = (): string => process.env.BENCH_RESULTS_FILE ?? join(repoRoot, 'bench', 'results', 'latest.json');

/** One measured figure, with the baseline it is compared with when there is one. */
export interface Figure {
  what: string;
  value: number;
  unit: string;
  /** The raw baseline measured in the same run, in the same unit. */
  baseline?: { what: string; value: number };
  /** value ÷ baseline (throughput) or baseline ÷ value (latency): > 1 means faster than the baseline. */
  ratio?: number;
  goal?: string;
  met?: boolean;
}

/**
 * A throughput figure against a baseline of the same run: ratio = value ÷ baseline, met when it
 * is at least `atLeast` (when given).
 */
export function throughputAgainst(
  what: string,
  value: number,
  baseline: { what: string; value: number },
  atLeast?: { ratio: number; goal: string },
  unit = 'events/s',
): Figure {
  const ratio = value / baseline.value;
  return { what, value, unit, baseline, ratio, ...(atLeast ? { goal: atLeast.goal, met: ratio >= atLeast.ratio } : {}) };
}

export interface BenchEntry {
  bench: string;
  /** How to run it again. */
  command: string;
  /** What was run (sizes, generator, stack). */
  ran: string;
  figures: Figure[];
  at: string;
  machine: { cores: number; memoryGiB: number; loadBefore: number[]; loadAfter: number[] };
}

interface ResultsFileShape {
  updated: string;
  benches: Record<string, BenchEntry>;
}

const loadAtStart = loadavg();

/** The machine and its load; a 1-minute load above the core count means other work shared it. */
export function machine(): BenchEntry['machine'] {
  return { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), loadBefore: loadAtStart.map(round2), loadAfter: loadavg().map(round2) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function readResults(file = resultsFile()): ResultsFileShape {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ResultsFileShape;
  } catch {
    return { updated: '', benches: {} };
  }
}

/** Writes this bench's entry (replacing its previous one) and returns the whole file's content. */
export function recordResults(entry: Omit<BenchEntry, 'at' | 'machine'>, file = resultsFile()): ResultsFileShape {
  const all = readResults(file);
  const at = new Date().toISOString();
  all.benches[entry.bench] = { ...entry, at, machine: machine() };
  all.updated = at;
  mkdirSync(dirname(file), { recursive: true });
  // Write then rename: a bench killed half-way never leaves a truncated file for the others.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return all;
}

const show = (value: number, unit: string): string => {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${grouped(value, digits)} ${unit}`;
};

/** The whole file as one plain-text table: bench, figure, value, baseline, ratio, goal. */
export function summaryTable(results = readResults()): string {
  const rows: string[][] = [['bench', 'figure', 'value', 'raw baseline (same run)', 'ratio', 'goal', 'when']];
  for (const entry of Object.values(results.benches).sort((a, b) => a.bench.localeCompare(b.bench))) {
    for (const f of entry.figures) {
      rows.push([
        entry.bench,
        f.what,
        show(f.value, f.unit),
        f.baseline ? `${f.baseline.what}: ${show(f.baseline.value, f.unit)}` : '',
        f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`,
        f.goal ? `${f.goal} ${f.met === undefined ? '' : f.met ? 'met' : 'NOT met'}`.trim() : '',
        entry.at.slice(0, 16).replace('T', ' '),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join(' │ ');
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...rows.slice(1).map(line)].join('\n');
}

/** Records, then prints the summary of every bench so far (the file's path included). */
export function recordAndSummarise(entry: Omit<BenchEntry, 'at' | 'machine'>): void {
  const all = recordResults(entry);
  process.stdout.write(`\n[bench] results written to ${resultsFile()}; summary of every bench:\n${summaryTable(all)}\n\n`);
}
