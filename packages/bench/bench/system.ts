// The whole system on a large log, each service a child process of its own (so its memory is its
// own), against the test stack's real broker and database:
//  1. replay: a provider log of BENCH_REPLAY_EVENTS records (whole synthetic firm histories) is
//     loaded, then ingestion reads it from the start (events/s, peak RSS), then the indicator
//     replays the accepted topic from the start until ready (events/s, peak RSS); baseline: Kafka's
//     ConsumerPerformance reading the same topics in the same run;
//     ingestion's rate over the first tenth of the log is compared with its rate over the last
//     tenth (0→1M against 9M→10M at 10M: flat with history), and, in the same run, with the
//     database's own batch insert of event documents into an `_id`-only collection and with
//     kafkajs eachBatch + bulkWrite of the same records (BENCH_BASELINE_RECORDS each, default 200000);
//  2. views: with every service up (BENCH_INDICATOR_INSTANCES indicator instances, default 1, each
//     holding its partitions' firms), every API view through the gateway is asked BENCH_VIEW_REQUESTS
//     times (p50/p99, goal p99 < 250 ms) once the assessments' catch-up has settled;
//  3. scrape: each service's /metrics is fetched BENCH_SCRAPES times (p50/p99); baseline: a bare
//     node:http server answering a static body of the same size.
// Peak RSS (VmHWM) of every service process, goal ≤ 1 GiB each.
// Not a test: `npm run bench -w @siliconalley/bench` (BENCH_REPLAY_EVENTS, default 200000; the
// issue's run is 10M). The services' dist must be built (`npm run build`).
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  benchStack,
  consumerPerfAvailable,
  consumerPerformance,
  freePort,
  generatorName,
  grouped,
  mib,
  percentile,
  type Progress,
  windowRates,
  providerRecords,
  publishLog,
  recordAndSummarise,
  until,
  sampleValue,
  untilIdle,
  type Figure,
  type ServiceProcess,
  startService,
  physicalInsertLimit,
  rawConsumeAndStore,
  storedEventDocuments,
  take,
  throughputAgainst,
} from '@siliconalley/bench';
import { connectDatabase } from '@siliconalley/db';
import { createStore } from '@siliconalley/store';
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { repoRoot } from '@siliconalley/devstack';
import { ACCEPTED_TOPIC_PARTITIONS, CONSUMER_GROUPS } from '@siliconalley/kafka';

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 200_000);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200);
const BASELINE_RECORDS = Math.min(EVENTS, Number(process.env.BENCH_BASELINE_RECORDS ?? 200_000));
const INDICATORS = Math.max(1, Math.min(ACCEPTED_TOPIC_PARTITIONS, Number(process.env.BENCH_INDICATOR_INSTANCES ?? 1))); // more would hold no partition
const VIEW_REQUESTS = Number(process.env.BENCH_VIEW_REQUESTS ?? 100);
const GOALS = { replayEvents: 10_000_000, replaySeconds: 15 * 60, rssBytes: 2 ** 30, scrapeMs: 50, viewP99Ms: 250, flatWithin: 0.8 };
const VIEWS = ['/api/v1/pipeline', '/api/v1/kpis', '/api/v1/targets', '/api/v1/tasks', '/api/v1/departments', '/api/v1/assessments'];

const say = (line: string) => process.stdout.write(`[system] ${line}\n`);

/**
 * Times `times` GETs of `url` one after another, after a few untimed warm-up requests (JIT,
 * connections). Answers other than 2xx are errors, not samples.
 */
async function timedGets(
  url: string,
  times: number,
  opts: { headers?: Record<string, string>; warmUp?: number } = {},
): Promise<{ ms: number[]; bytes: number; errors: string[] }> {
  const get = async () => {
    const res = await fetch(url, { headers: opts.headers });
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 300)}`);
    return Buffer.byteLength(body);
  };
  let bytes = 0;
  for (let i = 0; i < (opts.warmUp ?? 5); i++) bytes = await get().catch(() => bytes);
  const ms: number[] = [];
  const errors: string[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    try {
      bytes = await get();
      ms.push(performance.now() - t);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { ms, bytes, errors };
}

/** Raw floor of a scrape: a bare HTTP server in this process answering `bytes` of text. */
async function bareServerScrape(bytes: number, times: number): Promise<number[]> {
  const body = 'x'.repeat(Math.max(1, bytes));
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body));
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  try {
    return (await timedGets(`http://127.0.0.1:${port}/metrics`, times)).ms;
  } finally {
    server.close();
  }
}

/** An evaluator's token in the namespace's token store, as `npm run token` issues one. */
async function evaluatorToken(mongoUrl: string, namespace: string): Promise<string> {
  const conn = await connectDatabase({ url: mongoUrl, namespace });
  try {
    const store = createStore(conn);
    await store.ensureIndexes();
    return (await store.tokens.issue('evaluator', { label: 'bench' })).token;
  } finally {
    await conn.close();
  }
}

async function main(): Promise<void> {
  for (const s of ['ingest', 'indicator', 'alerting', 'gateway']) {
    if (!existsSync(join(repoRoot, 'services', s, 'dist', 'index.js'))) throw new Error(`services/${s} is not built: run \`npm run build\` first`);
  }
  const generator = generatorName(); // before generating: the simulator may be built meanwhile
  const stack = await benchStack('sys');
  const { env, kafka } = stack;
  const running: ServiceProcess[] = [];
  const common = { KAFKA_BROKERS: env.brokers.join(','), MONGO_URL: env.mongoUrl, SA_NAMESPACE: env.namespace, INTERNAL_API_SECRET: env.internalApiSecret };
  const figures: Figure[] = [];
  let ran = '';
  let recorded = false;
  const record = (note = '') => {
    recorded = true;
    recordAndSummarise({
      bench: 'system-replay-scrape',
      command: 'npm run bench -w @siliconalley/bench  (BENCH_REPLAY_EVENTS, BENCH_SCRAPES)',
      ran: ran + note,
      figures,
    });
  };
  try {
    say(stack.describe);
    say(`loading a provider log of ${grouped(EVENTS)} records (${generator}, whole firm histories) …`);
    const loaded = await publishLog(env.brokers, env.namespace, providerRecords({ events: EVENTS, mix: 'log' }), { progress: (n) => say(`  … ${grouped(n)}`) });
    say(`loaded in ${loaded.seconds.toFixed(0)} s: ${JSON.stringify(loaded.byTopic)}`);
    ran = `${grouped(loaded.records)}-record provider log (${generator}; ${JSON.stringify(loaded.byTopic)}), services as child processes (${INDICATORS} indicator instance(s)), ${stack.describe}`;
    // The timed part starts on an idle machine (other work on 2 cores would be measured as ours).
    await untilIdle(say);
    const sourceTopics = SOURCE_TOPICS.map((t) => kafka.topic(t));
    const include = (topics: string[]) => topics.map((t) => t.replace(/\./g, '\\.')).join('|');
    const perfSource = consumerPerfAvailable()
      ? await consumerPerformance({ brokers: env.brokers, include: include(sourceTopics), records: loaded.records, groupId: kafka.group('bench-perf-source') })
      : null;
    if (perfSource) say(`ConsumerPerformance on the source topics: ${grouped(perfSource.eventsPerSecond)} records/s`);

    // 1a. Ingestion replays the provider log.
    let started = performance.now();
    const ingest = await startService('ingest', 'ingest', { ...common });
    running.push(ingest);
    const ingestGroup = kafka.group(CONSUMER_GROUPS.ingest(['certification', 'enterprise', 'task']));
    let lastReport = Date.now();
    const progress: Progress = [[0, 0]];
    await until(
      'ingestion to commit the whole log',
      async () => {
        ingest.peakRss();
        const lag = await kafka.consumerLag(ingestGroup, sourceTopics).catch(() => null);
        const left = lag && Object.keys(lag).length ? Object.values(lag).reduce((a, b) => a + b, 0) : Infinity;
        if (Number.isFinite(left)) progress.push([performance.now() - started, loaded.records - left]);
        if (Date.now() - lastReport > 30_000) {
          lastReport = Date.now();
          say(
            `  ingestion: ${Number.isFinite(left) ? grouped(loaded.records - left) : 0} of ${grouped(loaded.records)} after ${((performance.now() - started) / 1000).toFixed(0)} s, RSS peak ${mib(ingest.peakRss()).toFixed(0)} MiB`,
          );
        }
        return left === 0;
      },
      6 * 3600_000,
      500,
    );
    const ingestSeconds = (performance.now() - started) / 1000;
    const acceptedEnds = (await kafka.partitionEnds([kafka.topic(TOPICS.accepted)]))[kafka.topic(TOPICS.accepted)] ?? {};
    const accepted = Object.values(acceptedEnds).reduce((n, end) => n + Number(end), 0);
    const ingestRate = loaded.records / ingestSeconds;
    say(
      `ingestion: ${grouped(loaded.records)} records in ${ingestSeconds.toFixed(0)} s = ${grouped(ingestRate)} events/s, ${grouped(accepted)} accepted; peak RSS ${mib(ingest.peakRss()).toFixed(0)} MiB`,
    );
    const tenth = Math.floor(loaded.records / 10);
    const windows = windowRates(progress, loaded.records, tenth);
    say(
      `ingestion over the first ${grouped(tenth)} records: ${grouped(windows.first)} events/s; over the last ${grouped(tenth)}: ${grouped(windows.last)} events/s (${(windows.last / windows.first).toFixed(2)}×)`,
    );

    // Baselines of the same run, on the same broker and database (a database of their own, so the
    // store's collections are untouched): the database alone, then kafkajs + bulkWrite.
    say(`baseline: the database's own insertMany of ${grouped(BASELINE_RECORDS)} event documents into an \`_id\`-only collection …`);
    const physical = await physicalInsertLimit({ databaseUrl: stack.databaseUrl('physical'), documents: take(storedEventDocuments(), BASELINE_RECORDS) });
    say(`  ${grouped(physical.eventsPerSecond)} docs/s`);
    say(`baseline: kafkajs eachBatch + bulkWrite of the first ${grouped(BASELINE_RECORDS)} source records …`);
    const raw = await rawConsumeAndStore({
      brokers: env.brokers,
      topics: sourceTopics,
      groupId: kafka.group('bench-raw'),
      databaseUrl: stack.databaseUrl('raw'),
      expected: BASELINE_RECORDS,
      partitionsConsumedConcurrently: 3,
    });
    say(`  ${grouped(raw.eventsPerSecond)} records/s`);

    // 1b. The indicator replays the accepted topic (from its start, as on every assignment).
    const perfAccepted = consumerPerfAvailable()
      ? await consumerPerformance({
          brokers: env.brokers,
          include: include([kafka.topic(TOPICS.accepted)]),
          records: accepted,
          groupId: kafka.group('bench-perf-accepted'),
        })
      : null;
    if (perfAccepted) say(`ConsumerPerformance on the accepted topic: ${grouped(perfAccepted.eventsPerSecond)} records/s`);
    const indicatorPorts: number[] = [];
    for (let i = 0; i < INDICATORS; i++) indicatorPorts.push(await freePort());
    const indicatorUrl = indicatorPorts.map((p) => `http://127.0.0.1:${p}`).join(',');
    started = performance.now();
    // All instances start together, so the group assigns the partitions once.
    const indicators: ServiceProcess[] = [];
    for (const [i, port] of indicatorPorts.entries()) {
      const name = INDICATORS === 1 ? 'indicator' : `indicator-${i + 1}`;
      indicators.push(await startService(name, 'indicator', { ...common, HTTP_PORT: String(port) }));
    }
    running.push(...indicators);
    await Promise.all(indicators.map((s) => s.waitReady(6 * 3600_000)));
    const indicatorSeconds = (performance.now() - started) / 1000;
    const indicatorRate = accepted / indicatorSeconds;
    say(
      `indicator (${INDICATORS} instance${INDICATORS > 1 ? 's' : ''}): replayed ${grouped(accepted)} accepted events in ${indicatorSeconds.toFixed(1)} s = ${grouped(indicatorRate)} events/s; peak RSS ${indicators.map((s) => `${mib(s.peakRss()).toFixed(0)}`).join(' / ')} MiB`,
    );

    const projected = (rate: number) => GOALS.replayEvents / rate;
    figures.push(
      {
        what: `replay ${grouped(loaded.records)} records: ingestion`,
        value: ingestRate,
        unit: 'events/s',
        ...(perfSource ? { baseline: { what: 'ConsumerPerformance', value: perfSource.eventsPerSecond }, ratio: ingestRate / perfSource.eventsPerSecond } : {}),
        goal: `10M ≤ 15 min (at this rate ${(projected(ingestRate) / 60).toFixed(0)} min)`,
        met: projected(ingestRate) <= GOALS.replaySeconds,
      },
      throughputAgainst(
        `ingestion rate over the last ${grouped(tenth)} records (store ${grouped(loaded.records - tenth)} → ${grouped(loaded.records)})`,
        windows.last,
        { what: `over the first ${grouped(tenth)} records (empty store)`, value: windows.first },
        { ratio: GOALS.flatWithin, goal: 'within 20% (≥ 0.8×)' },
      ),
      throughputAgainst(
        'ingestion against the database alone',
        ingestRate,
        { what: `insertMany into an _id-only collection, ${grouped(BASELINE_RECORDS)} docs`, value: physical.eventsPerSecond },
        { ratio: 0.5, goal: '≥ 0.5×' },
      ),
      throughputAgainst(
        'ingestion against kafkajs + bulkWrite',
        ingestRate,
        { what: `kafkajs eachBatch + bulkWrite, ${grouped(BASELINE_RECORDS)} records`, value: raw.eventsPerSecond },
        { ratio: 0.8, goal: '≥ 0.8×' },
      ),
      { what: 'replay: ingestion peak RSS', value: mib(ingest.peakRss()), unit: 'MiB', goal: '≤ 1 GiB', met: ingest.peakRss() <= GOALS.rssBytes },
      {
        what: `replay ${grouped(accepted)} accepted: indicator, ${INDICATORS} instance(s)`,
        value: indicatorRate,
        unit: 'events/s',
        ...(perfAccepted
          ? { baseline: { what: 'ConsumerPerformance', value: perfAccepted.eventsPerSecond }, ratio: indicatorRate / perfAccepted.eventsPerSecond }
          : {}),
        goal: `10M ≤ 15 min (at this rate ${(projected(indicatorRate) / 60).toFixed(1)} min)`,
        met: projected(indicatorRate) <= GOALS.replaySeconds,
      },
    );

    // 2. Scrapes, with the data loaded and every service up.
    const alertingApi = await freePort();
    const alerting = await startService('alerting', 'alerting', {
      ...common,
      HTTP_PORT: String(alertingApi),
      INDICATOR_URL: indicatorUrl,
    });
    running.push(alerting);
    const gatewayPort = await freePort();
    const gateway = await startService('gateway', 'gateway', {
      ...common,
      HTTP_PORT: String(gatewayPort),
      INDICATOR_URL: indicatorUrl,
      ALERTING_URL: `http://127.0.0.1:${alertingApi}`,
      // The views are timed with one token, ~6 × (VIEW_REQUESTS + 3) requests in about a minute: the
      // default per-token limit (600 a minute) refused the last ones in the 2M run. Latency is timed
      // here, not the limiter (its own tests cover it).
      RATE_LIMIT_PER_MINUTE: String(Math.max(600, 10 * (VIEW_REQUESTS + 3) * 6)),
    });
    running.push(gateway);
    await alerting.waitReady();
    await gateway.waitReady();

    // 2. Views through the gateway, once the assessments' catch-up has finished, each asked
    // VIEW_REQUESTS times one after another.
    const token = await evaluatorToken(env.mongoUrl, env.namespace);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const authorization = { authorization: `Bearer ${token}` };
    const ask = async (path: string) => {
      const res = await fetch(`${gatewayUrl}${path}`, { headers: authorization });
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 300)}`);
      return body;
    };
    // Settled: alerting reports its catch-up done (every closed period assessed), then the list is read.
    const settleStart = performance.now();
    await until(
      'the assessments catch-up to finish (siliconalley_assessments_catch_up_pending 0)',
      async () => sampleValue(await (await fetch(alerting.metricsUrl)).text(), 'siliconalley_assessments_catch_up_pending') === 0,
      3600_000,
      2000,
    );
    const assessments = await ask('/api/v1/assessments');
    const list = JSON.parse(assessments) as unknown;
    const listed = Array.isArray(list) ? list.length : (Object.values(list as object).find(Array.isArray)?.length ?? '?');
    say(`assessments settled after ${((performance.now() - settleStart) / 1000).toFixed(0)} s: ${listed} listed`);
    // A view that answers with an error is counted, not fatal: the run's other figures still count.
    for (const view of VIEWS) {
      const { ms, bytes, errors } = await timedGets(`${gatewayUrl}${view}`, VIEW_REQUESTS, { headers: authorization, warmUp: 3 });
      const [p50, p99] = ms.length ? [percentile(ms, 0.5), percentile(ms, 0.99)] : [NaN, NaN];
      say(
        `GET ${view}: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms, ${grouped(bytes / 1024, 1)} KiB (n=${VIEW_REQUESTS}, ${errors.length} errors${errors.length ? `; first: ${errors[0]}` : ''})`,
      );
      figures.push({
        what: `GET ${view} p99 (p50 ${p50.toFixed(1)} ms, ${errors.length} of ${VIEW_REQUESTS} failed)`,
        value: p99,
        unit: 'ms',
        goal: `< ${GOALS.viewP99Ms} ms, no errors`,
        met: p99 < GOALS.viewP99Ms && errors.length === 0,
      });
    }

    let largest = 0;
    for (const s of [ingest, ...indicators, alerting, gateway]) {
      const { ms, bytes } = await timedGets(s.metricsUrl, SCRAPES);
      largest = Math.max(largest, bytes);
      const [p50, p99] = [percentile(ms, 0.5), percentile(ms, 0.99)];
      say(
        `/metrics of ${s.name}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...ms).toFixed(2)} ms, ${grouped(bytes / 1024, 1)} KiB (n=${SCRAPES})`,
      );
      figures.push({
        what: `/metrics ${s.name} p50 (${grouped(bytes / 1024, 0)} KiB)`,
        value: p50,
        unit: 'ms',
        goal: `≤ ${GOALS.scrapeMs} ms`,
        met: p50 <= GOALS.scrapeMs,
      });
      figures.push({ what: `/metrics ${s.name} p99`, value: p99, unit: 'ms', goal: `≤ ${GOALS.scrapeMs} ms`, met: p99 <= GOALS.scrapeMs });
    }
    const bare = await bareServerScrape(largest, SCRAPES);
    say(
      `raw baseline, bare node:http with a static ${grouped(largest / 1024, 1)} KiB body: p50 ${percentile(bare, 0.5).toFixed(2)} ms, p99 ${percentile(bare, 0.99).toFixed(2)} ms`,
    );
    // The ratio against the bare server: how much of a scrape is the service's own work.
    for (const f of figures.filter((x) => x.what.startsWith('/metrics'))) {
      const p = f.what.includes('p99') ? 0.99 : 0.5;
      f.baseline = { what: `bare node:http ${p === 0.5 ? 'p50' : 'p99'}, ${grouped(largest / 1024, 0)} KiB`, value: percentile(bare, p) };
      f.ratio = f.value / f.baseline.value;
    }
    for (const s of [ingest, ...indicators, alerting, gateway]) {
      figures.push({ what: `peak RSS: ${s.name}`, value: mib(s.peakRss()), unit: 'MiB', goal: '≤ 1 GiB', met: s.peakRss() <= GOALS.rssBytes });
    }
    say(`peak RSS: ${[ingest, ...indicators, alerting, gateway].map((s) => `${s.name} ${mib(s.peakRss()).toFixed(0)} MiB`).join(', ')}`);
    record();
  } finally {
    // A run that stopped early still leaves what it measured (a 10M run takes hours).
    if (!recorded && figures.length) record(' — STOPPED EARLY, see the log');
    for (const s of running.reverse()) await s.stop();
    await stack.close();
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
