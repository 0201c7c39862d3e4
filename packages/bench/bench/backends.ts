// FerretDB's embedded backends for the local stack, SQLite against PostgreSQL, on the same workload
// of event-store documents (packages/store event.schema.ts), each on a fresh instance of its own
// (bench ports, started here with the devstack's components). The machine may be shared: the two
// take turns operation by operation (never both at once), so both see the same background load.
//  a. bulk insert: insertMany, unordered, batches of BENCH_BACKEND_BATCH, into a collection with
//     only `_id`, until it holds BENCH_BACKEND_DOCS (rate over the whole load and over its first
//     and last tenth: how it holds up as the store grows);
//  b. the same inserts with refused duplicates in every batch: BENCH_BACKEND_DUP_SHARE of each
//     batch (a provider's re-send), and whole batches (a chunk re-delivered after a crash);
//  c. `_id` equality lookups of stored events (latency);
//  d. updateOne by `_id` on a 20-document collection while the big one holds them all (the
//     maintained counters, updated per chunk);
//  e. a full cursor stream of the big collection (an offline rebuild, with streamAll's projection);
// and the storage's size on disk. Prints a table with the ratio postgresql/sqlite per measure and
// writes the PostgreSQL figures with SQLite as their baseline to the results file.
// Not a test: `npm run bench -w @siliconalley/bench` (after system.js), or alone:
//   npm run build -w @siliconalley/bench && npx tsc -p packages/bench/bench/tsconfig.json && node packages/bench/bench/dist/backends.js
// Timed measures stop at BENCH_BACKEND_SECONDS each (SQLite scans the collection for an `_id`
// lookup, see README), so a large run stays within minutes; the table says how many samples.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient, type Collection } from 'mongodb';
import {
  backendBenchLayout,
  backendFigures,
  backendTable,
  grouped,
  mib,
  percentile,
  recordAndSummarise,
  startFerretdb,
  storedEventDocuments,
  take,
  type BackendMeasure,
  type FerretdbInstance,
  type StoredEventDocument,
} from '@siliconalley/bench';
import { duplicateKeyRefusals } from '@siliconalley/db';
import { eventIdentity } from '@siliconalley/contract';
import { FERRETDB_BACKENDS, componentVersions, type FerretdbBackend } from '@siliconalley/devstack';
import { seededRandom } from '@siliconalley/testkit';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const DOCS = num('BENCH_BACKEND_DOCS', 50_000);
const BATCH = num('BENCH_BACKEND_BATCH', 1000);
const DUP_SHARE = num('BENCH_BACKEND_DUP_SHARE', 0.1);
const DUP_BATCHES = num('BENCH_BACKEND_DUP_BATCHES', 10);
const LOOKUPS = num('BENCH_BACKEND_LOOKUPS', 500);
const UPDATES = num('BENCH_BACKEND_UPDATES', 2000);
const SECONDS = num('BENCH_BACKEND_SECONDS', 30);
const COUNTERS = 20;
/** The store's streamAll batch size. */
const STREAM_BATCH = 2000;
const say = (line: string) => process.stdout.write(`[backends] ${line}\n`);
const perSecond = (ms: number[]) => ms.length / (ms.reduce((a, b) => a + b, 0) / 1000);

/** One backend's instance, client and collections, and what was measured on it. */
interface Side {
  backend: FerretdbBackend;
  instance: FerretdbInstance;
  client: MongoClient;
  events: Collection<StoredEventDocument>;
  counters: Collection<{ _id: string; accepted: number; refused: number; at: Date }>;
  /** Per bulk-load batch: store size after it, seconds. */
  loadBatches: { end: number; seconds: number }[];
  refusedRate?: number;
  redeliveryRate?: number;
  lookupMs: number[];
  updateMs: number[];
  streamed: number;
  streamSeconds: number;
}

/**
 * The machine is shared (other stacks, tests): the backends take turns, operation by operation,
 * alternating which goes first, so that both see the same background load. Only the operation
 * itself is on the clock, never the generation of documents.
 */
async function inTurns(sides: Side[], turn: number, op: (side: Side) => Promise<void>): Promise<number[]> {
  const seconds = new Array<number>(sides.length).fill(0);
  const order = turn % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
  for (const i of order) {
    const t = performance.now();
    await op(sides[i]!);
    seconds[i] = (performance.now() - t) / 1000;
  }
  return seconds;
}

/** Inserts `batch` unordered, and checks that exactly `refused` were refused as duplicates. */
async function insertExpectingRefusals(side: Side, batch: StoredEventDocument[], refused: number): Promise<void> {
  let refusals: number[] = [];
  try {
    await side.events.insertMany(batch, { ordered: false });
  } catch (err) {
    const positions = duplicateKeyRefusals(err);
    if (!positions) throw err;
    refusals = positions;
  }
  if (refusals.length !== refused)
    throw new Error(`${side.backend}: expected ${refused} duplicate refusals in a batch, the database reported ${refusals.length}`);
}

/** DUP_BATCHES batches with `share` of each replaced by stored events (refused): offered documents per second, per side. */
async function insertWithRefusals(sides: Side[], fresh: Iterator<StoredEventDocument>, stored: string[], share: number, rnd: () => number): Promise<number[]> {
  const seconds = new Array<number>(sides.length).fill(0);
  let offered = 0;
  for (let b = 0; b < DUP_BATCHES; b++) {
    const refused = Math.round(BATCH * share);
    const batch = take(fresh, BATCH - refused);
    const picked = new Set<string>();
    while (picked.size < refused) picked.add(stored[Math.floor(rnd() * stored.length)]!);
    for (const key of picked) {
      // The stored event again, as a provider re-sends it: same key, an event's shape.
      const [source, id] = JSON.parse(key) as [string, string];
      const template = take(fresh, 1)[0]!;
      batch.splice(Math.floor(rnd() * (batch.length + 1)), 0, { ...template, _id: eventIdentity({ source, id }), source, id });
    }
    const took = await inTurns(sides, b, (side) => insertExpectingRefusals(side, batch, refused));
    took.forEach((s, i) => {
      seconds[i]! += s;
    });
    offered += batch.length;
    for (const d of batch) if (!picked.has(d._id)) stored.push(d._id);
  }
  return seconds.map((s) => offered / s);
}

/** Runs `op` on every side in turns until `max` rounds or SECONDS have passed, after `warm` unmeasured rounds: ms per call, per side. */
async function timedInTurns(sides: Side[], op: (side: Side, i: number) => Promise<void>, max: number, warm: number): Promise<number[][]> {
  for (let i = 0; i < warm; i++) await inTurns(sides, i, (side) => op(side, max + i)); // past the measured indexes
  const ms = sides.map(() => [] as number[]);
  const deadline = performance.now() + SECONDS * 1000;
  for (let i = 0; i < max && performance.now() < deadline; i++) {
    const took = await inTurns(sides, i, (side) => op(side, i));
    took.forEach((s, k) => {
      ms[k]!.push(s * 1000);
    });
  }
  return ms;
}

async function measure(sides: Side[]): Promise<void> {
  for (const side of sides) {
    await side.client.db('backendbench').createCollection('events');
    await side.counters.insertMany(Array.from({ length: COUNTERS }, (_, i) => ({ _id: `counter-${i}`, accepted: 0, refused: 0, at: new Date() })));
  }
  const source = storedEventDocuments();
  const stored: string[] = [];

  // a. Bulk load to DOCS, the same batches into both.
  const reportEvery = Math.max(BATCH, Math.floor(DOCS / 10));
  for (let n = 0, b = 0; n < DOCS; b++) {
    const batch = take(source, Math.min(BATCH, DOCS - n));
    const took = await inTurns(sides, b, async (side) => void (await side.events.insertMany(batch, { ordered: false })));
    n += batch.length;
    sides.forEach((side, i) => {
      side.loadBatches.push({ end: n, seconds: took[i]! });
    });
    for (const d of batch) stored.push(d._id);
    if (n % reportEvery < batch.length || n === DOCS) {
      say(
        `  ${grouped(n)} stored: ${sides.map((x) => `${x.backend} ${grouped(n / x.loadBatches.reduce((a, l) => a + l.seconds, 0))} docs/s`).join(', ')} so far`,
      );
    }
  }

  // b. Refused duplicates in the batch: a share of it (a provider's re-send), then all of it (a re-delivered chunk).
  const rnd = seededRandom(7);
  const refusedRates = await insertWithRefusals(sides, source, stored, DUP_SHARE, rnd);
  const redeliveryRates = await insertWithRefusals(sides, source, stored, 1, rnd);
  sides.forEach((side, i) => {
    side.refusedRate = refusedRates[i]!;
    side.redeliveryRate = redeliveryRates[i]!;
  });
  say(
    `inserts with refusals done (${sides.map((x) => `${x.backend} ${grouped(x.refusedRate ?? NaN)} / ${grouped(x.redeliveryRate ?? NaN)} docs/s`).join(', ')})`,
  );

  // c. `_id` equality lookups of stored events, the same random keys on both.
  const keys = Array.from({ length: LOOKUPS + 3 }, () => stored[Math.floor(rnd() * stored.length)]!);
  const lookups = await timedInTurns(
    sides,
    async (side, i) => {
      const key = keys[i % keys.length]!;
      if (!(await side.events.findOne({ _id: key }))) throw new Error(`${side.backend}: stored event ${key} not found`);
    },
    LOOKUPS,
    3,
  );
  sides.forEach((side, i) => {
    side.lookupMs = lookups[i]!;
  });
  say(`_id lookups done (n=${lookups[0]!.length})`);

  // d. The small collection's updates, round-robin over its counters.
  const updates = await timedInTurns(
    sides,
    async (side, i) => {
      const r = await side.counters.updateOne({ _id: `counter-${i % COUNTERS}` }, { $inc: { accepted: BATCH, refused: 1 }, $set: { at: new Date() } });
      if (r.modifiedCount !== 1) throw new Error(`${side.backend}: counter-${i % COUNTERS} was not updated`);
    },
    UPDATES,
    COUNTERS,
  );
  sides.forEach((side, i) => {
    side.updateMs = updates[i]!;
  });
  say(`updates done (n=${updates[0]!.length})`);

  // e. The offline rebuild's read: every stored event through one cursor each, advanced in turns of a cursor batch.
  const cursors = sides.map((side) => side.events.find({}, { projection: { origin: 0, receivedAt: 0 } }).batchSize(STREAM_BATCH));
  const done = sides.map(() => false);
  for (let turn = 0; done.some((d) => !d); turn++) {
    const took = await inTurns(sides, turn, async (side) => {
      const i = sides.indexOf(side);
      for (let k = 0; k < STREAM_BATCH && !done[i]; k++) {
        if (await cursors[i]!.next()) side.streamed++;
        else done[i] = true;
      }
    });
    sides.forEach((side, i) => {
      side.streamSeconds += took[i]!;
    });
  }
  for (const side of sides) {
    if (side.streamed !== stored.length) throw new Error(`${side.backend}: streamed ${side.streamed} events, ${stored.length} are stored`);
  }
  say(`streamed ${grouped(stored.length)} from each`);
}

async function main(): Promise<void> {
  const sides: Side[] = [];
  // The instances run detached (own process groups): Ctrl-C must stop them, not leave them behind.
  const stopAll = async () => {
    for (const side of sides.splice(0).reverse()) {
      await side.client.close().catch(() => undefined);
      await side.instance.stop();
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  say(
    `${grouped(DOCS)} event documents in batches of ${grouped(BATCH)}; refusals: ${Math.round(DUP_SHARE * 100)}% and 100% of ${DUP_BATCHES} batches each; ` +
      `up to ${LOOKUPS} lookups and ${UPDATES} updates, ≤ ${SECONDS} s each; the backends take turns operation by operation`,
  );
  let measures: BackendMeasure[];
  try {
    for (const backend of FERRETDB_BACKENDS) {
      const instance = await startFerretdb(backend, (l) => say(l));
      const client = new MongoClient(instance.url, { serverSelectionTimeoutMS: 10000 });
      const db = client.db('backendbench');
      sides.push({
        backend,
        instance,
        client,
        events: db.collection('events'),
        counters: db.collection('counters'),
        loadBatches: [],
        lookupMs: [],
        updateMs: [],
        streamed: 0,
        streamSeconds: 0,
      });
      await client.connect();
    }
    await measure(sides);
    const disk = sides.map((side) => side.instance.diskBytes());
    const [s, p] = [sides.find((x) => x.backend === 'sqlite')!, sides.find((x) => x.backend === 'postgresql')!];
    const [sDisk, pDisk] = [disk[sides.indexOf(s)]!, disk[sides.indexOf(p)]!];
    const tenth = Math.max(1, Math.floor(DOCS / 10));
    // Batches that end in the first tenth of the load, and those that end in its last tenth.
    const loadRate = (side: Side, from: number, to: number) => {
      let docs = 0;
      let seconds = 0;
      side.loadBatches.forEach((b, i) => {
        const start = i === 0 ? 0 : side.loadBatches[i - 1]!.end;
        if (b.end > from && start < to) {
          docs += b.end - start;
          seconds += b.seconds;
        }
      });
      return docs / seconds;
    };
    const samples = (a: number[], b: number[]) => ({ sqlite: a.length, postgresql: b.length });
    measures = [
      {
        what: `a. bulk insert to ${grouped(DOCS)} (batches of ${grouped(BATCH)}, unordered)`,
        unit: 'docs/s',
        higherIsBetter: true,
        sqlite: loadRate(s, 0, DOCS),
        postgresql: loadRate(p, 0, DOCS),
      },
      {
        what: `a. bulk insert, first ${grouped(tenth)}`,
        unit: 'docs/s',
        higherIsBetter: true,
        sqlite: loadRate(s, 0, tenth),
        postgresql: loadRate(p, 0, tenth),
      },
      {
        what: `a. bulk insert, last ${grouped(tenth)}`,
        unit: 'docs/s',
        higherIsBetter: true,
        sqlite: loadRate(s, DOCS - tenth, DOCS),
        postgresql: loadRate(p, DOCS - tenth, DOCS),
      },
      {
        what: `b. insert, ${Math.round(DUP_SHARE * 100)}% of each batch refused`,
        unit: 'docs/s',
        higherIsBetter: true,
        sqlite: s.refusedRate!,
        postgresql: p.refusedRate!,
      },
      { what: 'b. insert, whole batch refused (re-delivery)', unit: 'docs/s', higherIsBetter: true, sqlite: s.redeliveryRate!, postgresql: p.redeliveryRate! },
      {
        what: 'c. _id lookup p50',
        unit: 'ms',
        higherIsBetter: false,
        sqlite: percentile(s.lookupMs, 0.5),
        postgresql: percentile(p.lookupMs, 0.5),
        n: samples(s.lookupMs, p.lookupMs),
      },
      {
        what: 'c. _id lookup p99',
        unit: 'ms',
        higherIsBetter: false,
        sqlite: percentile(s.lookupMs, 0.99),
        postgresql: percentile(p.lookupMs, 0.99),
        n: samples(s.lookupMs, p.lookupMs),
      },
      {
        what: `d. updateOne by _id, ${COUNTERS}-doc collection, p50`,
        unit: 'ms',
        higherIsBetter: false,
        sqlite: percentile(s.updateMs, 0.5),
        postgresql: percentile(p.updateMs, 0.5),
        n: samples(s.updateMs, p.updateMs),
      },
      {
        what: `d. updateOne by _id, ${COUNTERS}-doc collection, p99`,
        unit: 'ms',
        higherIsBetter: false,
        sqlite: percentile(s.updateMs, 0.99),
        postgresql: percentile(p.updateMs, 0.99),
        n: samples(s.updateMs, p.updateMs),
      },
      {
        what: `d. updateOne by _id, ${COUNTERS}-doc collection`,
        unit: 'updates/s',
        higherIsBetter: true,
        sqlite: perSecond(s.updateMs),
        postgresql: perSecond(p.updateMs),
      },
      {
        what: `e. full cursor stream of ${grouped(s.streamed)}`,
        unit: 'docs/s',
        higherIsBetter: true,
        sqlite: s.streamed / s.streamSeconds,
        postgresql: p.streamed / p.streamSeconds,
      },
      { what: 'disk after the run (PostgreSQL: with WAL)', unit: 'MiB', higherIsBetter: false, sqlite: mib(sDisk), postgresql: mib(pDisk) },
    ];
  } finally {
    await stopAll();
  }
  // Measured: the storage goes (GiBs at a large N; the next run starts fresh anyway), the logs stay.
  for (const backend of FERRETDB_BACKENDS) rmSync(join(backendBenchLayout(backend).dir, 'data'), { recursive: true, force: true });
  process.stdout.write(`\n[backends] FerretDB on SQLite vs on PostgreSQL, ${grouped(DOCS)} documents:\n${backendTable(measures)}\n`);
  recordAndSummarise({
    bench: 'ferretdb-backends',
    command:
      'npm run bench -w @siliconalley/bench  (BENCH_BACKEND_DOCS, BENCH_BACKEND_BATCH, BENCH_BACKEND_DUP_SHARE, BENCH_BACKEND_DUP_BATCHES, BENCH_BACKEND_LOOKUPS, BENCH_BACKEND_UPDATES, BENCH_BACKEND_SECONDS)',
    ran:
      `${grouped(DOCS)} event-store documents (testkit syntheticFirmEvents), batches of ${grouped(BATCH)}, ${DUP_BATCHES} batches each with ` +
      `${Math.round(DUP_SHARE * 100)}% and 100% refused; FerretDB ${componentVersions().ferretdb} on SQLite and on PostgreSQL (devstack components, ` +
      'fresh instances on bench ports, taking turns operation by operation); ratio > 1: PostgreSQL better',
    figures: backendFigures(measures),
  });
}

main()
  .then(() => process.exit(0))
  .catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
