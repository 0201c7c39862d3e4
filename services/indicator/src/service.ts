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
import type { IndicatorConfig } from './config';
import { indicatorMetrics } from './metrics';
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
  const kafka = new KafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME, logger, namespace: config.SA_NAMESPACE });
  const acceptedTopic = kafka.topic(TOPICS.accepted);
  const groupId = kafka.group(CONSUMER_GROUPS.indicator);

  // Partition ownership and catch-up: ready once every owned partition is replayed to where it
  // stood when we got it.
  const owned = new Set<number>();
  const catchUpTo = new Map<number, bigint>();
  /** Next offset to apply per owned partition (reset to 0 when a partition is added and replayed). */
  const appliedUpTo = new Map<number, bigint>();
  let joined = false;
  let assignedAt = process.hrtime.bigint();
  const noteCaughtUp = () => {
    if (joined && catchUpTo.size === 0) metrics.replaySeconds.set(Number(process.hrtime.bigint() - assignedAt) / 1e9);
  };
  const isReady = () => joined && catchUpTo.size === 0;

  const ops = await listen(createOpsApp({ logger, registry, readiness: { caughtUp: async () => isReady(), kafka: () => kafka.ping(), database: () => pingDatabase(conn) } }), config.OPS_PORT);
  const api = await listen(createServer({ state, logger, registry, isReady, ownedPartitions: () => [...owned].sort() }), config.HTTP_PORT);

  const consumer = await kafka.consume({
    groupId,
    topics: [acceptedTopic],
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    stallTimeoutMs: config.KAFKA_STALL_TIMEOUT_MS,
    chunkSize: 2000,
    handleChunk: async (records, ctx) => {
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
      state.apply(events, ctx.partition);
      const last = records[records.length - 1];
      if (last) appliedUpTo.set(ctx.partition, BigInt(last.offset) + 1n);
      const target = catchUpTo.get(ctx.partition);
      if (last && target !== undefined && BigInt(last.offset) + 1n >= target) {
        catchUpTo.delete(ctx.partition);
        noteCaughtUp();
      }
      end();
    },
    onAssignment: (assignment) => {
      const assigned = new Set(assignment[acceptedTopic] ?? []);
      const revoked = [...owned].filter((p) => !assigned.has(p));
      const added = [...assigned].filter((p) => !owned.has(p));
      state.dropPartitions(revoked);
      for (const p of revoked) {
        owned.delete(p);
        catchUpTo.delete(p);
      }
      for (const p of added) {
        owned.add(p);
        appliedUpTo.set(p, 0n);
      }
      for (const p of revoked) appliedUpTo.delete(p);
      joined = false;
      assignedAt = process.hrtime.bigint();
      // Where each added partition ends now: replaying up to there means caught up.
      void kafka
        .withAdmin((admin) => admin.fetchTopicOffsets(acceptedTopic))
        .then((ends) => {
          for (const p of added) {
            const high = BigInt(ends.find((e) => e.partition === p)?.high ?? '0');
            if (owned.has(p) && (appliedUpTo.get(p) ?? 0n) < high) catchUpTo.set(p, high);
          }
          joined = true;
          noteCaughtUp();
        })
        .catch((err) => {
          logger.error({ err }, 'cannot read partition ends; reporting not ready until the next assignment');
        });
      logger.info({ owned: [...owned].sort(), added, revoked }, 'partitions assigned; replaying the added ones from their start');
      return added.map((partition) => ({ topic: acceptedTopic, partition, offset: '0' }));
    },
    onCrash: (err) => {
      logger.fatal({ err }, 'consumer cannot continue; exiting');
      void lifecycle.shutdown('consumer crash').then(() => process.exit(1));
    },
  });

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
  return {
    lifecycle,
    logger,
    state,
    apiPort: (api.server.address() as AddressInfo).port,
    opsPort: (ops.server.address() as AddressInfo).port,
    ownedPartitions: () => [...owned].sort(),
    isReady,
  };
}

export { NO_PARTITION };
