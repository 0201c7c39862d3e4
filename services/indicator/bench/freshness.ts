// Publish→KPI freshness through the real broker and database, at a steady rate, against a raw
// baseline measured in the same run on the same broker: kafkajs produce → kafkajs consume of the
// same payloads (no validation, no store, no engine).
// Not a test: `npm run bench -w @siliconalley/service-indicator` (or the root `npm run bench`).
// Uses KAFKA_BROKERS/MONGO_URL when set, else starts its own stack on bench ports.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '@siliconalley/config';
import { TOPICS, fullType } from '@siliconalley/contract';
import { Stack, kafkaBrokers, mongoUrl, localDir, createTestTopics, type StackLayout } from '@siliconalley/devstack';
import { createLogger } from '@siliconalley/logger';
import { syntheticUscc, testEnv } from '@siliconalley/testkit';
import { recordAndSummarise } from '@siliconalley/bench';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator } from '@siliconalley/service-indicator/dist/service';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TICK_MS = 50;

const benchLayout: StackLayout = {
  name: 'test-stack',
  dir: join(localDir, 'bench-stack'),
  ports: { kafka: 39092, kafkaController: 39192, mongo: 37027, prometheus: 39090, alertmanager: 39093, serviceBase: 39100, gateway: 38080 },
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const fmt = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms (n=${xs.length})`;

function registration(n: number, id: string) {
  const uscc = syntheticUscc(n);
  return {
    specversion: '1.0',
    id,
    source: 'urn:bench',
    type: fullType('enterprise.registered'),
    time: new Date().toISOString(),
    subject: uscc,
    datacontenttype: 'application/json',
    data: {
      uscc,
      name: `基准企业${n}`,
      establishedOn: '2020-01-01',
      districtCode: '110101',
      site: { address: '北京市东城区', location: { lon: 116.42, lat: 39.945, crs: 'WGS84' }, buildingId: null },
    },
  };
}

/** Sends `make(i)` at RATE per second for SECONDS, in ticks; returns send instants by index. */
async function steady(send: (batch: number[]) => Promise<void>): Promise<Map<number, number>> {
  const sentAt = new Map<number, number>();
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const ticks = Math.round((SECONDS * 1000) / TICK_MS);
  const start = performance.now();
  let next = 0;
  for (let t = 0; t < ticks; t++) {
    const due = start + t * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const batch = Array.from({ length: perTick }, () => next++);
    const now = performance.now();
    for (const i of batch) sentAt.set(i, now);
    await send(batch);
  }
  return sentAt;
}

async function main(): Promise<void> {
  let stack: Stack | null = null;
  let brokers: string[];
  let mongo: string;
  if (process.env.KAFKA_BROKERS && process.env.MONGO_URL) {
    brokers = process.env.KAFKA_BROKERS.split(',');
    mongo = process.env.MONGO_URL;
  } else {
    stack = new Stack({ layout: benchLayout, fresh: true, say: () => undefined });
    process.stdout.write('[bench] starting a bench stack (Kafka, FerretDB) …\n');
    await stack.up();
    brokers = [kafkaBrokers(benchLayout)];
    mongo = mongoUrl(benchLayout);
  }
  process.env.KAFKA_BROKERS = brokers.join(',');
  process.env.MONGO_URL = mongo;
  const env = testEnv();
  const kafka = await createTestTopics(env);
  const _logger = createLogger('bench', 'warn');
  try {
    // Raw baseline: the same payloads through a bare producer and consumer group.
    const rawTopic = kafka.topic('siliconalley.bench.raw');
    await kafka.ensureTopics([{ topic: rawTopic, partitions: 3 }]);
    const rawSeen = new Map<number, number>();
    const raw = await kafka.consume({
      groupId: kafka.group('bench-raw'),
      topics: [rawTopic],
      handleChunk: async (records) => {
        const now = performance.now();
        for (const r of records) rawSeen.set(Number(r.headers['bench-index']), now);
      },
    });
    await new Promise((r) => setTimeout(r, 3000));
    const rawSent = await steady((batch) =>
      kafka.send(
        rawTopic,
        batch.map((i) => ({ key: String(i), value: JSON.stringify(registration(i, `raw-${i}`)), headers: { 'bench-index': String(i) } })),
      ),
    );
    const rawDeadline = Date.now() + 30000;
    while (rawSeen.size < rawSent.size && Date.now() < rawDeadline) await new Promise((r) => setTimeout(r, 100));
    await raw.stop();
    const rawLatency = [...rawSent].filter(([i]) => rawSeen.has(i)).map(([i, t]) => rawSeen.get(i)! - t);

    // The system: ingestion (validate, store once, forward) → indicator (engine) applied.
    const common = {
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      SA_NAMESPACE: env.namespace,
      OPS_PORT: '0',
      LOG_LEVEL: 'warn',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const ingest = await startIngest(parseConfig('ingest', ingestConfigSchema, common));
    const indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, { ...common, HTTP_PORT: '0' }));
    while (!indicator.isReady()) await new Promise((r) => setTimeout(r, 100));
    const appliedAt = new Map<number, number>();
    indicator.state.applyListeners.push((events) => {
      const now = performance.now();
      for (const e of events) if (e.source === 'urn:bench') appliedAt.set(Number(e.id.slice('sys-'.length)), now);
    });
    const topic = kafka.topic(TOPICS.enterprise);
    const sysSent = await steady((batch) =>
      kafka.send(
        topic,
        batch.map((i) => {
          const event = registration(i, `sys-${i}`);
          return { key: event.subject, value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json' } };
        }),
      ),
    );
    const deadline = Date.now() + 60000;
    while (appliedAt.size < sysSent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const sysLatency = [...sysSent].filter(([i]) => appliedAt.has(i)).map(([i, t]) => appliedAt.get(i)! - t);
    const lost = sysSent.size - sysLatency.length;

    const query = [] as number[];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      indicator.state.engine.kpis('2026-10-31');
      query.push(performance.now() - t);
    }
    process.stdout.write(
      [
        `freshness at ${RATE} events/s for ${SECONDS} s through the real broker (${env.brokers.join(',')}) and database:`,
        `  raw baseline (kafkajs produce → consume):         ${fmt(rawLatency)}`,
        `  publish → KPI (validate, store, forward, engine): ${fmt(sysLatency)}`,
        `  ratio p99 system / raw: ${(pct(sysLatency, 0.99) / pct(rawLatency, 0.99)).toFixed(1)}×   goal p99 ≤ 1000 ms: ${pct(sysLatency, 0.99) <= 1000 ? 'met' : 'NOT met'}${lost ? `   NOT APPLIED within 60 s: ${lost}` : ''}`,
        `  kpis(asOf) with ${indicator.state.firmCount} firms: ${fmt(query)}`,
        `  indicator process memory (rss): ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (ingest and indicator in one process here)`,
        '',
      ].join('\n'),
    );
    const [rawP50, rawP99, sysP50, sysP99] = [pct(rawLatency, 0.5), pct(rawLatency, 0.99), pct(sysLatency, 0.5), pct(sysLatency, 0.99)];
    recordAndSummarise({
      bench: 'indicator-freshness',
      command: 'npm run bench -w @siliconalley/service-indicator  (BENCH_RATE, BENCH_SECONDS)',
      ran: `${RATE} events/s for ${SECONDS} s, ingestion and indicator in-process, broker ${env.brokers.join(',')}${lost ? `, ${lost} not applied within 60 s` : ''}`,
      figures: [
        // Latency: the ratio is system ÷ raw here (how many times the raw path's latency).
        { what: 'publish → KPI p50', value: sysP50, unit: 'ms', baseline: { what: 'kafkajs produce → consume p50', value: rawP50 }, ratio: sysP50 / rawP50 },
        {
          what: 'publish → KPI p99',
          value: sysP99,
          unit: 'ms',
          baseline: { what: 'kafkajs produce → consume p99', value: rawP99 },
          ratio: sysP99 / rawP99,
          goal: '≤ 1000 ms',
          met: sysP99 <= 1000,
        },
      ],
    });
    await indicator.lifecycle.shutdown('bench done');
    await ingest.lifecycle.shutdown('bench done');
  } finally {
    await kafka.close();
    if (stack) await stack.down();
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
