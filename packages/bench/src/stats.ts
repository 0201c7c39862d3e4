// Small numeric helpers every bench prints with.
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
