// The whole system on a large log, each service a child process of its own (so its memory is its
// own), against the test stack's real broker and database:
//  1. replay: a provider log of BENCH_REPLAY_EVENTS records (whole synthetic firm histories) is
//     loaded, then ingestion reads it from the start (events/s, peak RSS), then the indicator
//     replays the accepted topic from the start until ready (events/s, peak RSS); baseline: Kafka's
//     ConsumerPerformance reading the same topics in the same run;
//  2. scrape: with that data loaded, ingest, indicator, alerting and gateway run and each one's
//     /metrics is fetched BENCH_SCRAPES times (p50/p99); baseline: a bare node:http server
//     answering a static body of the same size.
// Not a test: `npm run bench -w @siliconalley/bench` (BENCH_REPLAY_EVENTS, default 200000; the
// goal is 10M in ≤ 15 min and ≤ 1 GiB per service). The services' dist must be built (`npm run build`).
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
  providerRecords,
  publishLog,
  recordAndSummarise,
  until,
  type Figure,
  type ServiceProcess,
  startService,
} from '@siliconalley/bench';
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { repoRoot } from '@siliconalley/devstack';
import { CONSUMER_GROUPS } from '@siliconalley/kafka';

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 200_000);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200);
const GOALS = { replayEvents: 10_000_000, replaySeconds: 15 * 60, rssBytes: 2 ** 30, scrapeMs: 50 };
const say = (line: string) => process.stdout.write(`[system] ${line}\n`);

async function scrapeTimes(url: string, times: number): Promise<{ ms: number[]; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = (await (await fetch(url)).text()).length; // warm-up (JIT, connections)
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    const res = await fetch(url);
    bytes = Buffer.byteLength(await res.text());
    ms.push(performance.now() - t);
  }
  return { ms, bytes };
}

/** Raw floor of a scrape: a bare HTTP server in this process answering `bytes` of text. */
async function bareServerScrape(bytes: number, times: number): Promise<number[]> {
  const body = 'x'.repeat(Math.max(1, bytes));
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body));
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  try {
    return (await scrapeTimes(`http://127.0.0.1:${port}/metrics`, times)).ms;
  } finally {
    server.close();
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
  try {
    say(stack.describe);
    say(`loading a provider log of ${grouped(EVENTS)} records (${generator}, whole firm histories) …`);
    const loaded = await publishLog(env.brokers, env.namespace, providerRecords({ events: EVENTS, mix: 'log' }), { progress: (n) => say(`  … ${grouped(n)}`) });
    say(`loaded in ${loaded.seconds.toFixed(0)} s: ${JSON.stringify(loaded.byTopic)}`);
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
    await until(
      'ingestion to commit the whole log',
      async () => {
        ingest.peakRss();
        const lag = await kafka.consumerLag(ingestGroup, sourceTopics).catch(() => null);
        const left = lag && Object.keys(lag).length ? Object.values(lag).reduce((a, b) => a + b, 0) : Infinity;
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
    const indicatorApi = await freePort();
    started = performance.now();
    const indicator = await startService('indicator', 'indicator', { ...common, HTTP_PORT: String(indicatorApi) });
    running.push(indicator);
    await indicator.waitReady(6 * 3600_000);
    const indicatorSeconds = (performance.now() - started) / 1000;
    const indicatorRate = accepted / indicatorSeconds;
    say(
      `indicator: replayed ${grouped(accepted)} accepted events in ${indicatorSeconds.toFixed(1)} s = ${grouped(indicatorRate)} events/s; peak RSS ${mib(indicator.peakRss()).toFixed(0)} MiB`,
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
      { what: 'replay: ingestion peak RSS', value: mib(ingest.peakRss()), unit: 'MiB', goal: '≤ 1 GiB', met: ingest.peakRss() <= GOALS.rssBytes },
      {
        what: `replay ${grouped(accepted)} accepted: indicator`,
        value: indicatorRate,
        unit: 'events/s',
        ...(perfAccepted
          ? { baseline: { what: 'ConsumerPerformance', value: perfAccepted.eventsPerSecond }, ratio: indicatorRate / perfAccepted.eventsPerSecond }
          : {}),
        goal: `10M ≤ 15 min (at this rate ${(projected(indicatorRate) / 60).toFixed(1)} min)`,
        met: projected(indicatorRate) <= GOALS.replaySeconds,
      },
      { what: 'replay: indicator peak RSS', value: mib(indicator.peakRss()), unit: 'MiB', goal: '≤ 1 GiB', met: indicator.peakRss() <= GOALS.rssBytes },
    );

    // 2. Scrapes, with the data loaded and every service up.
    const alertingApi = await freePort();
    const alerting = await startService('alerting', 'alerting', {
      ...common,
      HTTP_PORT: String(alertingApi),
      INDICATOR_URL: `http://127.0.0.1:${indicatorApi}`,
    });
    running.push(alerting);
    const gateway = await startService('gateway', 'gateway', {
      ...common,
      HTTP_PORT: String(await freePort()),
      INDICATOR_URL: `http://127.0.0.1:${indicatorApi}`,
      ALERTING_URL: `http://127.0.0.1:${alertingApi}`,
    });
    running.push(gateway);
    await alerting.waitReady();
    await gateway.waitReady();
    let largest = 0;
    for (const s of [ingest, indicator, alerting, gateway]) {
      const { ms, bytes } = await scrapeTimes(s.metricsUrl, SCRAPES);
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
    recordAndSummarise({
      bench: 'system-replay-scrape',
      command: 'npm run bench -w @siliconalley/bench  (BENCH_REPLAY_EVENTS, BENCH_SCRAPES)',
      ran: `${grouped(loaded.records)}-record provider log (${generator}; ${JSON.stringify(loaded.byTopic)}), services as child processes, ${stack.describe}`,
      figures,
    });
  } finally {
    for (const s of running.reverse()) await s.stop();
    await stack.close();
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
