// Heap per firm of the indicator's state (events held compactly, KPI engine, action candidates,
// data-quality count) against a raw baseline measured in the same run: the same accepted events
// held as parsed objects and nothing else. A 10M-record history is ~4M firms, held in memory by the
// indicator instances; this figure says how many instances a history needs (≤ 1 GiB each).
// Not a test: `npm run bench -w @siliconalley/service-indicator` (BENCH_MEMORY_FIRMS, default 200000).
// Runs itself with --expose-gc, so that the heap is measured after a full collection.
import { spawnSync } from 'node:child_process';
import { recordAndSummarise } from '@siliconalley/bench';
import { parseKafkaRecord, type AcceptedEvent } from '@siliconalley/contract';
import { simulate } from '@siliconalley/simulator';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { IndicatorState } from '@siliconalley/service-indicator/dist/state';

const FIRMS = Number(process.env.BENCH_MEMORY_FIRMS ?? 200_000);
const ARRIVAL = new Date('2026-12-01T00:00:00Z');

type Mode = 'state' | 'parsed';

function acceptedEvents(firms: number): Generator<AcceptedEvent> {
  return (function* () {
    for (const r of simulate({ firms, from: '2015-01-01', to: '2026-11-30' })) {
      if (r.intended === 'rejected') continue;
      const parsed = parseKafkaRecord({ topic: r.topic, key: r.key, headers: r.headers, value: r.value }, { receivedAt: ARRIVAL });
      // As the indicator gets them: the JSON of the accepted topic, parsed afresh.
      if (parsed.ok) yield JSON.parse(JSON.stringify(parsed.event)) as AcceptedEvent;
    }
  })();
}

/** One measurement in a fresh process: heap after a full GC, before and after holding the events. */
function measure(mode: Mode): void {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const heap = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const state = new IndicatorState(defaultZoneRegistry());
  const held: AcceptedEvent[] = [];
  const before = heap();
  let events = 0;
  let batch: AcceptedEvent[] = [];
  const started = process.hrtime.bigint();
  for (const e of acceptedEvents(FIRMS)) {
    events++;
    if (mode === 'parsed') held.push(e);
    else if (batch.push(e) === 500) {
      state.apply(batch, 0);
      batch = [];
    }
  }
  if (mode === 'state') state.apply(batch, 0);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bytes = heap() - before;
  process.stdout.write(`${JSON.stringify({ mode, events, firms: mode === 'state' ? state.firmCount : FIRMS, held: held.length, bytes, seconds })}\n`);
}

function run(mode: Mode): { events: number; bytes: number; seconds: number } {
  const child = spawnSync(process.execPath, ['--expose-gc', __filename, mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`measuring ${mode} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as { events: number; bytes: number; seconds: number };
}

const mode = process.argv[2] as Mode | undefined;
if (mode) measure(mode);
else {
  const state = run('state');
  const parsed = run('parsed');
  const perFirm = (bytes: number) => bytes / FIRMS;
  process.stdout.write(
    `${FIRMS} simulated firms, ${state.events} accepted events:\n` +
      `  indicator state: ${perFirm(state.bytes).toFixed(0)} bytes a firm (${(state.bytes / 2 ** 20).toFixed(0)} MiB), built in ${state.seconds.toFixed(1)} s (simulation included)\n` +
      `  parsed events alone: ${perFirm(parsed.bytes).toFixed(0)} bytes a firm (${(parsed.bytes / 2 ** 20).toFixed(0)} MiB)\n`,
  );
  recordAndSummarise({
    bench: 'indicator-memory',
    command: 'npm run bench -w @siliconalley/service-indicator  (BENCH_MEMORY_FIRMS)',
    ran: `${FIRMS} simulated firms (${state.events} accepted events), heap after a full GC, each measurement in its own process`,
    figures: [
      {
        what: 'indicator state heap per firm',
        value: perFirm(state.bytes),
        unit: 'bytes',
        baseline: { what: 'the accepted events alone, as parsed objects', value: perFirm(parsed.bytes) },
        // baseline ÷ value, as for latency: > 1 means the state is smaller than its events parsed.
        ratio: parsed.bytes / state.bytes,
        goal: '> 1× (the whole state smaller than its events parsed)',
        met: state.bytes < parsed.bytes,
      },
    ],
  });
}
