// Small numeric helpers every bench prints with.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

export const percentile = (samples: readonly number[], p: number): number =>
  samples.length === 0 ? NaN : [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;

export const mib = (bytes: number): number => bytes / 2 ** 20;

export const rate = (events: number, seconds: number): number => (seconds > 0 ? events / seconds : NaN);

/** `12,345` — events/s and counts read better grouped. */
export const grouped = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds since `start` (a performance.now() instant). */
export const secondsSince = (start: number): number => (performance.now() - start) / 1000;

/** Polls `done` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, done: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Waits (up to `timeoutMs`) until the 1-minute load average has stayed below `maxLoad` for
 * `quietMs`: a bench's timed part should not measure other work sharing the machine's cores (a
 * single low reading can be a pause between the steps of another job, such as a test suite).
 */
export async function untilIdle(
  say: (line: string) => void,
  maxLoad = Number(process.env.BENCH_MAX_LOAD ?? 1),
  timeoutMs = 3600_000,
  quietMs = 60_000,
  load: () => number = () => loadavg()[0]!,
  /** The clock the quiet period is measured on (tests: one that does not depend on the scheduler). */
  now: () => number = Date.now,
): Promise<void> {
  say(`waiting for an idle machine (1-minute load ${load().toFixed(2)}, below ${maxLoad} for ${quietMs / 1000} s before timing; BENCH_MAX_LOAD) …`);
  const started = now();
  let quietSince: number | null = null;
  await until(
    'an idle machine',
    () => {
      if (load() >= maxLoad) quietSince = null;
      else quietSince ??= now();
      return quietSince !== null && now() - quietSince >= quietMs;
    },
    timeoutMs,
    Math.min(5000, Math.max(1, quietMs / 4)),
  );
  say(`  idle after ${((now() - started) / 1000).toFixed(0)} s`);
}

/** Records committed over time: [ms since start, records] samples. */
export type Progress = Array<[number, number]>;

/**
 * Rate over the first and the last `window` records of a replay, from progress samples: the first
 * from the first commit (start-up excluded), the last up to the final commit.
 */
export function windowRates(samples: Progress, total: number, window: number): { first: number; last: number } {
  const at = (records: number) => samples.find(([, n]) => n >= records) ?? samples[samples.length - 1]!;
  const firstCommit = samples.find(([, n]) => n > 0)!;
  const firstEnd = at(firstCommit[1] + window);
  const lastStart = at(total - window);
  const end = at(total);
  const r = (a: [number, number], b: [number, number]) => ((b[1] - a[1]) * 1000) / Math.max(1, b[0] - a[0]);
  return { first: r(firstCommit, firstEnd), last: r(lastStart, end) };
}

/**
 * The value of an unlabelled-by-us metric in a Prometheus text exposition: the first sample of
 * `name`, whatever labels the registry adds by default (`service="…"`); null when absent.
 */
export function sampleValue(exposition: string, name: string): number | null {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let sample: string;
    if (rest.startsWith('{')) {
      const labelsEnd = rest.indexOf('}');
      if (labelsEnd === -1) continue;
      sample = rest.slice(labelsEnd + 1);
    } else if (rest.startsWith(' ')) sample = rest;
    else continue; // a longer metric name
    const value = Number(sample.trim().split(' ')[0]);
    if (!Number.isNaN(value)) return value;
  }
  return null;
}
