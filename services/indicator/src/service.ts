// Wiring: config → zones → consume accepted events for the partitions this instance owns → APIs.
// Scale-out is Kafka's: instances share the consumer group; each (re)assigned partition is replayed
// from its start (the accepted topic keeps everything), so an instance holds exactly its partitions'
// firms and the sum over instances is the whole. The event store gives an independent full rebuild.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { TOPICS, type AcceptedEvent } from '@siliconalley/contract';
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { createMetricsRegistry, createOpsApp, Lifecycle, listen } from '@siliconalley/http';
import { CONSUMER_GROUPS, KafkaClient } from '@siliconalley/kafka';
import { createLogger, type Logger } from '@siliconalley/logger';
import { createStore, type Store } from '@siliconalley/store';
import { defaultZoneRegistry, loadZoneRegistry, type ZoneRegistry } from '@siliconalley/zones';
import { AcceptedTopicApplier } from './applier';
import { ChangeLog } from './changes';
import type { IndicatorConfig } from './config';
import { indicatorMetrics } from './metrics';
import { PartitionOwnership } from './ownership';
import { createServer } from './server';
import { IndicatorState, NO_PARTITION } from './state';

function loadZones(config: IndicatorConfig): ZoneRegistry {
  if (!config.ZONES_FILE) return defaultZoneRegistry();
  return loadZoneRegistry(JSON.parse(readFileSync(config.ZONES_FILE, 'utf8')));
}

/** A full rebuild from the event store: every accepted event, whatever partition it travels on. */
/** Rebuilds the state from every stored event; `read.events` counts the events read (the chaos check compares it with the dispositions). */
export async function stateFromStore(store: Store, zones: ZoneRegistry, read: { events: number } = { events: 0 }): Promise<IndicatorState> {
  const state = new IndicatorState(zones);
  let batch: AcceptedEvent[] = [];
  read.events = 0;
  for await (const event of store.events.streamAll()) {
    read.events += 1;
    batch.push(event);
    if (batch.length >= 5000) {
      state.apply(batch, NO_PARTITION);
      batch = [];
    }
  }
  state.apply(batch, NO_PARTITION);
  return state;
}

export interface RunningIndicator {
  lifecycle: Lifecycle;
  logger: Logger;
  state: IndicatorState;
  apiPort: number;
  opsPort: number;
  /** The addresses the API and ops servers listen on (HTTP_HOST, OPS_HOST: loopback by default). */
  apiAddress: string;
  opsAddress: string;
  /** Partitions of the accepted topic this instance owns now. */
  ownedPartitions: () => number[];
  isReady: () => boolean;
}

export async function startIndicator(config: IndicatorConfig): Promise<RunningIndicator> {
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(config.SERVICE_NAME);
  const state = new IndicatorState(loadZones(config));
  const metrics = indicatorMetrics(registry, state);

  const conn = await connectDatabase({ url: config.MONGO_URL, namespace: config.SA_NAMESPACE, logger });
  const store = createStore(conn);
  await store.ensureIndexes();
  const kafka = new KafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME,
    logger,
    namespace: config.SA_NAMESPACE,
  });
  const acceptedTopic = kafka.topic(TOPICS.accepted);
  const groupId = kafka.group(CONSUMER_GROUPS.indicator);

  // Partition ownership and catch-up: ready once every owned partition is replayed to where it
  // stood when we got it. The change log tells readers what was newly applied since an offset.
  const ownership = new PartitionOwnership((ms) => metrics.replaySeconds.set(ms / 1000));
  const changes = new ChangeLog();
  const applier = new AcceptedTopicApplier({
    state,
    changes,
    ownership,
    logger,
    ends: {
      partitionEnds: async () => {
        const ends = await kafka.partitionEnds([acceptedTopic]);
        return new Map(Object.entries(ends[acceptedTopic] ?? {}).map(([p, end]) => [Number(p), BigInt(end)]));
      },
    },
  });

  const ops = await listen(
    createOpsApp({ logger, registry, readiness: { caughtUp: async () => ownership.isReady(), kafka: () => kafka.ping(), database: () => pingDatabase(conn) } }),
    config.OPS_PORT,
    config.OPS_HOST,
  );
  const api = await listen(
    createServer({ state, logger, registry, ownership, changes, internalSecret: config.INTERNAL_API_SECRET }),
    config.HTTP_PORT,
    config.HTTP_HOST,
  );

  const consumer = await kafka.consume({
    groupId,
    topics: [acceptedTopic],
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    stallTimeoutMs: config.KAFKA_STALL_TIMEOUT_MS,
    chunkSize: 2000,
    handleChunk: async (records, ctx) => {
      const end = metrics.applySeconds.startTimer();
      applier.apply(ctx.partition, records);
      end();
    },
    onAssignment: (assignment) => {
      // The ends of the gained partitions are read in the background (applier.ts): ready after that.
      const { added } = applier.assign(assignment[acceptedTopic] ?? []);
      return added.map((partition) => ({ topic: acceptedTopic, partition, offset: '0' }));
    },
    onCrash: (err) => {
      logger.fatal({ err }, 'consumer cannot continue; exiting');
      void lifecycle.shutdown('consumer crash').then(() => process.exit(1));
    },
  });

  const stopLag = kafka.monitorLag(groupId, [acceptedTopic], (topic, n) => metrics.lag.set({ group: groupId, topic }, n));

  lifecycle
    .onShutdown('stop lag checks (the one in flight finishes)', () => stopLag())
    .onShutdown('stop consuming and commit', () => consumer.stop())
    .onShutdown('close kafka', () => kafka.close())
    .onShutdown('close http', async () => {
      await api.close();
      await ops.close();
    })
    .onShutdown('close database', () => conn.close());
  return {
    lifecycle,
    logger,
    state,
    apiPort: (api.server.address() as AddressInfo).port,
    opsPort: (ops.server.address() as AddressInfo).port,
    apiAddress: (api.server.address() as AddressInfo).address,
    opsAddress: (ops.server.address() as AddressInfo).address,
    ownedPartitions: () => ownership.partitions(),
    isReady: () => applier.isReady(),
  };
}

export { NO_PARTITION };
