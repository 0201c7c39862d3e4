// Wiring: config → zones → rebuild from the event store → consume accepted events → APIs.
import { readFileSync } from 'node:fs';
import { TOPICS, type AcceptedEvent } from '@siliconalley/contract';
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { createMetricsRegistry, createOpsApp, Lifecycle, listen } from '@siliconalley/http';
import { CONSUMER_GROUPS, KafkaClient } from '@siliconalley/kafka';
import { createLogger, type Logger } from '@siliconalley/logger';
import { createStore } from '@siliconalley/store';
import { defaultZoneRegistry, loadZoneRegistry, type ZoneRegistry } from '@siliconalley/zones';
import type { IndicatorConfig } from './config';
import { indicatorMetrics } from './metrics';
import { createServer } from './server';
import { IndicatorState } from './state';

function loadZones(config: IndicatorConfig): ZoneRegistry {
  if (!config.ZONES_FILE) return defaultZoneRegistry();
  return loadZoneRegistry(JSON.parse(readFileSync(config.ZONES_FILE, 'utf8')));
}

export async function startIndicator(config: IndicatorConfig): Promise<{ lifecycle: Lifecycle; logger: Logger; state: IndicatorState }> {
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(config.SERVICE_NAME);
  const state = new IndicatorState(loadZones(config));
  const metrics = indicatorMetrics(registry, state);
  let ready = false;

  const conn = await connectDatabase({ url: config.MONGO_URL, namespace: config.SA_NAMESPACE, logger });
  const store = createStore(conn);
  await store.ensureIndexes();
  const kafka = new KafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME, logger, namespace: config.SA_NAMESPACE });

  const ops = await listen(createOpsApp({ logger, registry, readiness: { rebuilt: async () => ready, kafka: () => kafka.ping(), database: () => pingDatabase(conn) } }), config.OPS_PORT);
  const api = await listen(createServer({ state, logger, registry, isReady: () => ready }), config.HTTP_PORT);

  // Full rebuild from the event store: everything accepted before the committed offsets is in it.
  const started = process.hrtime.bigint();
  let batch: AcceptedEvent[] = [];
  for await (const event of store.events.streamAll()) {
    batch.push(event);
    if (batch.length >= 5000) {
      state.apply(batch);
      batch = [];
    }
  }
  state.apply(batch);
  metrics.rebuildSeconds.set(Number(process.hrtime.bigint() - started) / 1e9);
  logger.info({ firms: state.firmCount, events: state.applied }, 'rebuilt from the event store');

  const acceptedTopic = kafka.topic(TOPICS.accepted);
  const groupId = kafka.group(CONSUMER_GROUPS.indicator);
  const consumer = await kafka.consume({
    groupId,
    topics: [acceptedTopic],
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    chunkSize: 2000,
    handleChunk: async (records) => {
      const end = metrics.applySeconds.startTimer();
      const events: AcceptedEvent[] = [];
      for (const r of records) {
        try {
          events.push(JSON.parse(r.value?.toString('utf8') ?? 'null') as AcceptedEvent);
        } catch (err) {
          // Written by our own ingestion: a bad record here is a bug, never a provider error.
          logger.error({ err, topic: r.topic, partition: r.partition, offset: r.offset }, 'unreadable accepted event skipped');
        }
      }
      state.apply(events);
      end();
    },
    onCrash: (err) => {
      logger.fatal({ err }, 'consumer cannot continue; exiting');
      void lifecycle.shutdown('consumer crash').then(() => process.exit(1));
    },
  });
  ready = true;

  const stopLag = kafka.monitorLag(groupId, [acceptedTopic], (topic, n) => metrics.lag.set({ group: groupId, topic }, n));

  lifecycle
    .onShutdown('stop lag checks', async () => stopLag())
    .onShutdown('stop consuming and commit', () => consumer.stop())
    .onShutdown('close kafka', () => kafka.close())
    .onShutdown('close http', async () => {
      await api.close();
      await ops.close();
    })
    .onShutdown('close database', () => conn.close());
  return { lifecycle, logger, state };
}
