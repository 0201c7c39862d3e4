// Wiring: config → adapters (Kafka, database) → the pipeline → ops endpoints.
import type { AddressInfo } from 'node:net';
import { TOPICS } from '@siliconalley/contract';
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { createMetricsRegistry, createOpsApp, Lifecycle, listen } from '@siliconalley/http';
import { CONSUMER_GROUPS, DeadLetterProducer, KafkaClient } from '@siliconalley/kafka';
import { createLogger, type Logger } from '@siliconalley/logger';
import { createStore } from '@siliconalley/store';
import type { IngestConfig } from './config';
import { ingestMetrics } from './metrics';
import { injectedStorageFault, withStorageFault } from './fault-injection';
import { ingestChunk, type PipelineDeps } from './pipeline';
import { deadLetterPoison } from './poison';
import { LedgerBook } from './ledgers';

export interface RunningIngest {
  lifecycle: Lifecycle;
  logger: Logger;
  opsPort: number;
}

export async function startIngest(config: IngestConfig): Promise<RunningIngest> {
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(config.SERVICE_NAME);
  const metrics = ingestMetrics(registry);

  const conn = await connectDatabase({ url: config.MONGO_URL, namespace: config.SA_NAMESPACE, logger });
  const store = createStore(conn);
  await store.ensureIndexes();

  const kafka = new KafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME,
    logger,
    namespace: config.SA_NAMESPACE,
  });
  await kafka.connectProducer();
  const deadLetters = new DeadLetterProducer(kafka, kafka.topic(TOPICS.deadLetter));
  const sourceTopics = config.INGEST_STREAMS.map((s) => kafka.topic(TOPICS[s]));
  const baseOf = new Map(config.INGEST_STREAMS.map((s) => [kafka.topic(TOPICS[s]), TOPICS[s]]));
  const groupId = kafka.group(CONSUMER_GROUPS.ingest(config.INGEST_STREAMS));

  const ops = createOpsApp({
    logger,
    registry,
    readiness: { kafka: () => kafka.ping(), database: () => pingDatabase(conn) },
  });
  const opsServer = await listen(ops, config.OPS_PORT);

  const fault = injectedStorageFault();
  const deps: PipelineDeps = {
    store: fault === null ? store : { events: withStorageFault(store.events, fault), dispositions: store.dispositions },
    ledgers: new LedgerBook(store.ledgers),
    kafka,
    deadLetters,
    acceptedTopic: kafka.topic(TOPICS.accepted),
    metrics,
    logger,
    legacyUsccAllowList: config.LEGACY_USCC_ALLOWLIST,
    baseTopic: (t) => baseOf.get(t) ?? t,
  };
  const consumer = await kafka.consume({
    groupId,
    topics: sourceTopics,
    chunkSize: config.INGEST_CHUNK_SIZE,
    // Room for several chunks per fetch (a source record is typically 0.6–1 KiB, at most 256 KiB).
    maxBytesPerPartition: Math.max(1024 * 1024, config.INGEST_CHUNK_SIZE * 4096),
    partitionsConsumedConcurrently: config.INGEST_PARTITIONS_IN_FLIGHT,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    stallTimeoutMs: config.KAFKA_STALL_TIMEOUT_MS,
    // The consumer heartbeats while a chunk (retries and poison hand-overs included) is in flight.
    handleChunk: (records) => ingestChunk(records, deps),
    poison: { handle: (record, err) => deadLetterPoison(record, err, deps), healthy: async () => (await kafka.ping()) && (await pingDatabase(conn)) },
    onCrash: (err) => {
      logger.fatal({ err }, 'consumer cannot continue; exiting so the orchestrator restarts us');
      void lifecycle.shutdown('consumer crash').then(() => process.exit(1));
    },
  });

  const stopLag = kafka.monitorLag(
    groupId,
    sourceTopics,
    (topic, n) => metrics.lag.set({ group: groupId, topic }, n),
    5000,
    (err) => logger.debug({ err }, 'lag check failed'),
  );

  // Shutdown order: stop consuming (the current chunk finishes and commits), flush producer, close ops, close DB.
  lifecycle
    .onShutdown('stop lag checks (the one in flight finishes)', () => stopLag())
    .onShutdown('stop consuming and commit', () => consumer.stop())
    .onShutdown('close kafka producer', () => kafka.close())
    .onShutdown('close ops server', () => opsServer.close())
    .onShutdown('close database', () => conn.close());

  logger.info({ topics: sourceTopics, groupId }, 'ingesting');
  return { lifecycle, logger, opsPort: (opsServer.server.address() as AddressInfo).port };
}
