// Query latency of the KPI engine against a plain scan of the same contributions, with 10k and
// 1M synthetic firms, plus full-rebuild time, memory and one-firm update latency.
// Not a test: `npm run bench -w @siliconalley/kpi-engine [-- 10000,1000000]`.
import { performance } from 'node:perf_hooks';
import { syntheticFirmEvents, syntheticUscc } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { dayNumber, deriveFirmContributions, isoDate, KpiEngine, kpiCatalogue, seriesKey } from '@siliconalley/kpi-engine';
import { recordAndSummarise, type Figure } from '@siliconalley/bench';

const zones = defaultZoneRegistry();
const QUERIES = 2_000;
const FIRST = dayNumber('2015-01-01');
const LAST = dayNumber('2026-12-31');

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (value: number): string => `${value.toFixed(3)} ms`;
const heap = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const percentile = (samples: number[], p: number): number => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))]!;
const randomDate = (): string => isoDate(FIRST + Math.floor(Math.random() * (LAST - FIRST + 1)));

function time(run: () => unknown, times: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Baseline: every firm's intervals in flat arrays, each query scans them all. */
class PlainScan {
  private series: Int32Array;
  private from: Float64Array;
  private to: Float64Array;
  private length = 0;
  readonly keys: string[];
  private readonly index: Map<string, number>;

  constructor(capacity: number) {
    this.keys = [
      ...new Set(
        kpiCatalogue(zones.zoneIds)
          .filter((r) => r.id !== 'zone_share')
          .map(seriesKey),
      ),
    ];
    this.index = new Map(this.keys.map((k, i) => [k, i]));
    this.series = new Int32Array(capacity);
    this.from = new Float64Array(capacity);
    this.to = new Float64Array(capacity);
  }

  add(key: string, from: number, to: number): void {
    if (this.length === this.series.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      [this.series, this.from, this.to] = [grow(this.series), grow(this.from), grow(this.to)];
    }
    this.series[this.length] = this.index.get(key)!;
    this.from[this.length] = from;
    this.to[this.length++] = to;
  }

  counts(date: string): Int32Array {
    const day = dayNumber(date);
    const counts = new Int32Array(this.keys.length);
    for (let i = 0; i < this.length; i++) if (this.from[i]! <= day && day < this.to[i]!) counts[this.series[i]!]!++;
    return counts;
  }
}

const figures: Figure[] = [];

function bench(firms: number): void {
  console.log(`\n== ${firms.toLocaleString('en')} synthetic firms`);
  const before = heap();
  const engine = new KpiEngine(zones);
  let [generating, rebuilding] = [0, 0];
  for (let n = 0; n < firms; n++) {
    const generated = performance.now();
    const events = syntheticFirmEvents(n);
    const derived = performance.now();
    engine.setFirmEvents(syntheticUscc(n), events);
    rebuilding += performance.now() - derived;
    generating += derived - generated;
  }
  const engineBytes = heap() - before;
  console.log(
    `full rebuild (derive + add, events given): ${(rebuilding / 1000).toFixed(1)} s (+ ${(generating / 1000).toFixed(1)} s generating events); ` +
      `engine memory ≈ ${mib(engineBytes)}; firms counted: ${engine.firmCount}`,
  );

  time(() => engine.kpis(randomDate()), QUERIES / 4); // warm-up: let the JIT compile the query path
  const kpis = time(() => engine.kpis(randomDate()), QUERIES);
  const one = time(() => engine.value({ id: 'zone_share', scope: 'zone:QL' }, randomDate()), QUERIES);
  const update = time(() => {
    const n = Math.floor(Math.random() * firms);
    engine.setFirmEvents(syntheticUscc(n), syntheticFirmEvents(n, 2));
  }, QUERIES);
  console.log(`engine.kpis(asOf), all ${engine.kpis('2025-06-30').length} entries: p50 ${ms(percentile(kpis, 0.5))}, p99 ${ms(percentile(kpis, 0.99))}`);
  console.log(`engine.value(zone_share{zone:QL}):  p50 ${ms(percentile(one, 0.5))}, p99 ${ms(percentile(one, 0.99))}`);
  console.log(`setFirmEvents (one firm re-derived): p50 ${ms(percentile(update, 0.5))}, p99 ${ms(percentile(update, 0.99))}`);

  const start = performance.now();
  const scan = new PlainScan(firms * 16);
  for (let n = 0; n < firms; n++) {
    for (const { key, from, to } of deriveFirmContributions(syntheticFirmEvents(n), zones)) scan.add(key, from, to);
  }
  console.log(`baseline built in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  time(() => scan.counts(randomDate()), 5); // warm-up
  const scans = time(() => scan.counts(randomDate()), Math.max(20, Math.min(QUERIES, Math.floor(2e8 / (firms * 16)))));
  const [p50, p99] = [percentile(scans, 0.5), percentile(scans, 0.99)];
  console.log(`baseline plain scan, all series:     p50 ${ms(p50)}, p99 ${ms(p99)}`);
  console.log(`ratio baseline / engine.kpis:        p50 ×${(p50 / percentile(kpis, 0.5)).toFixed(0)}, p99 ×${(p99 / percentile(kpis, 0.99)).toFixed(0)}`);
  const size = firms.toLocaleString('en');
  figures.push(
    {
      what: `${size} firms: kpis(asOf) p50`,
      value: percentile(kpis, 0.5),
      unit: 'ms',
      baseline: { what: 'plain scan p50', value: p50 },
      ratio: p50 / percentile(kpis, 0.5),
    },
    {
      what: `${size} firms: kpis(asOf) p99`,
      value: percentile(kpis, 0.99),
      unit: 'ms',
      baseline: { what: 'plain scan p99', value: p99 },
      ratio: p99 / percentile(kpis, 0.99),
    },
    { what: `${size} firms: full rebuild`, value: rebuilding / 1000, unit: 's' },
    { what: `${size} firms: engine memory`, value: engineBytes / 2 ** 20, unit: 'MiB' },
  );
}

const sizes = (process.argv[2] ?? '10000,1000000').split(',').map(Number);
for (const firms of sizes) bench(firms);
recordAndSummarise({
  bench: 'kpi-engine-query',
  command: 'npm run bench -w @siliconalley/kpi-engine [-- 10000,1000000]',
  ran: `${sizes.join(', ')} synthetic firms, in-process`,
  figures,
});
