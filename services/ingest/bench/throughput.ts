// Ingestion throughput end to end through the real broker and database, against raw baselines
// measured in the same run on the same broker and database:
//   (a) kafkajs eachBatch + MongoDB driver bulkWrite (unordered inserts) of the same records,
//       into a collection with the event store's indexes;
//   (b) Kafka's ConsumerPerformance tool (Java client) reading the same topics;
//   (c) the database alone: insertMany of the same documents into an `_id`-only collection.
// It also compares ingestion's rate over the last tenth of the log with the first tenth: the cost
// of a record must not grow with the history already stored.
// The log is loaded first (not timed); each consumer then reads it from the start in a group of its
// own. Not a test: `npm run bench -w @siliconalley/service-ingest` (BENCH_EVENTS, default 200000).
import { performance } from 'node:perf_hooks';
import {
  benchStack,
  consumerPerfAvailable,
  consumerPerformance,
  generatorName,
  grouped,
  physicalInsertLimit,
  providerRecords,
  rawDocument,
  publishLog,
  rawConsumeAndStore,
  recordAndSummarise,
  throughputAgainst,
  until,
  type Figure,
} from '@siliconalley/bench';
import { parseConfig } from '@siliconalley/config';
import { TOPICS } from '@siliconalley/contract';
import { CONSUMER_GROUPS } from '@siliconalley/kafka';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const GOAL = 0.8;

async function main(): Promise<void> {
  const generator = generatorName(); // before generating: the simulator may be built meanwhile
  const stack = await benchStack('tp');
  const { env, kafka } = stack;
  const say = (line: string) => process.stdout.write(`[ingest throughput] ${line}\n`);
  try {
    say(`${stack.describe}`);
    say(`loading ${grouped(EVENTS)} valid enterprise and certification records (all accepted by the contract) (${generator}) …`);
    const loaded = await publishLog(env.brokers, env.namespace, providerRecords({ events: EVENTS, mix: 'valid-firms' }), {
      progress: (n) => say(`  … ${grouped(n)}`),
    });
    say(`loaded in ${loaded.seconds.toFixed(1)} s: ${JSON.stringify(loaded.byTopic)}`);
    const topics = [TOPICS.enterprise, TOPICS.certification].map((t) => kafka.topic(t));

    // (b) The broker's own consumer: the ceiling for reading these topics on this machine.
    let perf: Awaited<ReturnType<typeof consumerPerformance>> | null = null;
    if (consumerPerfAvailable()) {
      perf = await consumerPerformance({
        brokers: env.brokers,
        include: topics.map((t) => t.replace(/\./g, '\\.')).join('|'),
        records: loaded.records,
        groupId: kafka.group('bench-perf'),
      });
      say(
        `ConsumerPerformance: ${grouped(perf.eventsPerSecond)} records/s (${grouped(perf.fetchEventsPerSecond)} while fetching), ${perf.mbPerSecond.toFixed(1)} MB/s`,
      );
    } else {
      say('ConsumerPerformance skipped: no kafka-tools jar in .local/tools (run infra/local/bootstrap.sh)');
    }

    // (a) Raw baseline: consume and bulk-insert each fetched batch, nothing else, one partition at a
    // time (kafkajs' default). With the ingestion's 3 partitions in flight the raw consumer was
    // slower here (whole 1 MB batches in concurrent bulk writes contend in FerretDB), so the
    // stronger, sequential variant is the baseline.
    const raw = await rawConsumeAndStore({
      brokers: env.brokers,
      topics,
      groupId: kafka.group('bench-raw'),
      databaseUrl: stack.databaseUrl('raw'),
      expected: loaded.records,
    });
    say(`raw kafkajs eachBatch + bulkWrite: ${grouped(raw.eventsPerSecond)} events/s (${raw.seconds.toFixed(1)} s)`);

    // (c) The database's own limit for the same documents: no broker, no contract, one batch at a time.
    const receivedAt = new Date();
    const physical = await physicalInsertLimit({
      databaseUrl: stack.databaseUrl('physical'),
      documents: (function* () {
        let offset = 0;
        for (const r of providerRecords({ events: EVENTS, mix: 'valid-firms' }))
          yield rawDocument(kafka.topic(r.topic), 0, String(offset++), Buffer.from(r.value), receivedAt);
      })(),
    });
    say(`database alone, insertMany into an _id-only collection: ${grouped(physical.eventsPerSecond)} events/s (${physical.seconds.toFixed(1)} s)`);

    // The system: the real ingestion, in-process, all streams in one instance (one consumer group).
    const started = performance.now();
    const ingest = await startIngest(
      parseConfig('ingest', ingestConfigSchema, {
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
        // Tuning knobs passed through, to compare settings on the same log.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('INGEST_'))),
      }),
    );
    const group = kafka.group(CONSUMER_GROUPS.ingest(['enterprise', 'certification', 'task']));
    const sourceTopics = [TOPICS.enterprise, TOPICS.certification, TOPICS.task].map((t) => kafka.topic(t));
    let lag = Infinity;
    // When each tenth of the log was settled (from the progress samples), for the rate over history.
    const samples: { at: number; done: number }[] = [{ at: started, done: 0 }];
    await until(
      'ingestion to commit every record',
      async () => {
        const byTopic = await kafka.consumerLag(group, sourceTopics).catch(() => null);
        if (byTopic && Object.keys(byTopic).length) lag = Object.values(byTopic).reduce((a, b) => a + b, 0);
        if (Number.isFinite(lag)) samples.push({ at: performance.now(), done: loaded.records - lag });
        return lag === 0;
      },
      60 * 60_000,
      200,
    );
    const seconds = (performance.now() - started) / 1000;
    const metrics = await (await fetch(`http://127.0.0.1:${ingest.opsPort}/metrics`)).text();
    await ingest.lifecycle.shutdown('bench done');
    const accepted = [...metrics.matchAll(/^siliconalley_events_accepted_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const system = loaded.records / seconds;
    // Where the chunks' time went (seconds summed over chunks; chunks of several partitions overlap).
    const steps = [...metrics.matchAll(/^siliconalley_ingest_chunk_step_duration_seconds_sum\{[^}]*step="(\w+)"[^}]*\} ([\d.e+-]+)/gm)].map(
      ([, name, sum]) => `${name} ${Number(sum).toFixed(1)} s`,
    );
    say(`chunk steps (summed over chunks): ${steps.join(', ')}`);
    say(`ingestion (validate, store once, dispositions, forward): ${grouped(system)} events/s (${seconds.toFixed(1)} s, ${grouped(accepted)} accepted)`);

    // Rate over a stretch of the log: records settled between the samples nearest its ends.
    const rateBetween = (from: number, to: number) => {
      const first = samples.find((x) => x.done >= from) ?? samples[samples.length - 1]!;
      const last = samples.find((x) => x.done >= to) ?? samples[samples.length - 1]!;
      return (last.done - first.done) / Math.max(1e-3, (last.at - first.at) / 1000);
    };
    const early = rateBetween(0.05 * loaded.records, 0.15 * loaded.records);
    const late = rateBetween(0.85 * loaded.records, 0.95 * loaded.records);
    say(
      `rate over history: ${grouped(early)} events/s with 5–15% of the log stored, ${grouped(late)} events/s with 85–95% stored (${(late / early).toFixed(2)}×)`,
    );

    const ratio = system / raw.eventsPerSecond;
    say(
      `ratio ingestion / raw baseline: ${ratio.toFixed(2)}× (goal ≥ ${GOAL}×: ${ratio >= GOAL ? 'met' : 'NOT met'})` +
        (perf ? `; ingestion / ConsumerPerformance: ${(system / perf.eventsPerSecond).toFixed(3)}×` : ''),
    );
    if (accepted !== loaded.records) say(`WARNING: ${loaded.records - accepted} records were not accepted (expected all valid)`);

    const figures: Figure[] = [
      throughputAgainst(
        'ingestion throughput',
        system,
        { what: 'kafkajs eachBatch + bulkWrite', value: raw.eventsPerSecond },
        { ratio: GOAL, goal: `≥ ${GOAL}× raw` },
      ),
      throughputAgainst(
        'ingestion vs the database alone',
        system,
        { what: 'insertMany, _id-only collection', value: physical.eventsPerSecond },
        { ratio: 0.5, goal: '≥ 0.5× the database alone' },
      ),
      throughputAgainst(
        'ingestion rate with 85–95% of the log stored',
        late,
        { what: 'with 5–15% stored', value: early },
        { ratio: 0.8, goal: 'within 20% (≥ 0.8×)' },
      ),
    ];
    if (perf) figures.push(throughputAgainst('ingestion vs broker ceiling', system, { what: 'ConsumerPerformance', value: perf.eventsPerSecond }));
    recordAndSummarise({
      bench: 'ingest-throughput',
      command: 'npm run bench -w @siliconalley/service-ingest  (BENCH_EVENTS)',
      ran: `${grouped(loaded.records)} valid enterprise/certification records (${generator}), ${stack.describe}`,
      figures,
    });
  } finally {
    await stack.close();
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
