// A consumer group member: eachBatch with manual commits, a chunk at a time, a background heartbeat
// while each chunk is handled, and a stall watchdog.
import type { EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@siliconalley/logger';
import { heartbeatInBackground, Liveness } from './liveness';
import { handleChunkIsolatingPoison, type PoisonOptions } from './poison';
import { toInboundRecord, type BatchContext, type ChunkHandler } from './records';

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  handleChunk: ChunkHandler;
  /** Records per durable chunk inside a fetched batch. */
  chunkSize?: number;
  /**
   * Bytes fetched per partition at a time (default 1 MiB). A fetch should hold several chunks:
   * the last chunk of every fetched batch is a short one.
   */
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  fromBeginning?: boolean;
  /** Called when kafkajs gives up (non-retriable crash); the service decides to exit. */
  onCrash?: (err: Error) => void;
  /**
   * Liveness: when the consumer neither fetches, handles a batch nor joins its group for this long
   * (and no chunk handler is running), it is wedged — kafkajs can hang in its fetch loop after a
   * failed commit when this member was evicted — and `onCrash` is called so that the service exits
   * and is restarted; so is a single chunk handler running for max(5 min, 5 × this). Off (0) by
   * default; services set it from KAFKA_STALL_TIMEOUT_MS, e.g. 2 × session timeout + 10 s.
   */
  stallTimeoutMs?: number;
  partitionsConsumedConcurrently?: number;
  /**
   * Poison records: a chunk that fails is retried; if it keeps failing, its records are handled one
   * by one, and a record that still fails alone while `healthy()` says the dependencies are fine is
   * passed to `handle` (which must dispose of it durably, e.g. dead-letter it) instead of being
   * retried forever. While `healthy()` is false the error propagates (the batch is re-delivered).
   * Without this option a failing chunk is retried by the client until it succeeds.
   */
  poison?: PoisonOptions;
  /**
   * Called (synchronously) whenever the group assigns this member its partitions, with the full
   * assignment per topic; the positions it returns are sought before fetching goes on.
   */
  onAssignment?: (assignment: Record<string, number[]>) => { topic: string; partition: number; offset: string }[];
}

export interface ManagedConsumer {
  /** Lets the chunk in flight finish and commit, then leaves the group. Idempotent. */
  stop: () => Promise<void>;
}

/**
 * Runs a consumer group member: each chunk is handled durably, then its offsets are resolved and
 * committed, with heartbeats while it runs and between chunks.
 */
export async function startConsumer(kafka: Kafka, logger: Logger, opts: ConsumerOptions): Promise<ManagedConsumer> {
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs ?? 30000,
    heartbeatInterval: 3000,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 1024 * 1024,
  });
  const stallMs = opts.stallTimeoutMs ?? 0;
  const liveness = new Liveness(stallMs);
  let isStopping = false;

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    liveness.progress();
    // One line per member and generation (the leader's line counts generations): rebalance audits read it.
    const { memberId, leaderId, isLeader, memberAssignment, duration } = event.payload;
    logger.info({ groupId: opts.groupId, memberId, leaderId, isLeader, assignment: memberAssignment, durationMs: duration }, 'joined consumer group');
    if (opts.onAssignment) for (const seek of opts.onAssignment(memberAssignment as Record<string, number[]>)) consumer.seek(seek);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    const err = event.payload.error;
    logger.error({ err, groupId: opts.groupId, restart: event.payload.restart }, 'consumer crashed');
    if (!event.payload.restart) opts.onCrash?.(err);
  });
  for (const e of [consumer.events.FETCH, consumer.events.START_BATCH_PROCESS, consumer.events.END_BATCH_PROCESS]) {
    consumer.on(e, () => liveness.progress());
  }

  // Off unless asked for: on a starved machine an idle consumer can go minutes without a fetch
  // event, and an exit there is a false alarm (the chaos harness turns it on for its services).
  let watchdog: NodeJS.Timeout | null = null;
  if (stallMs > 0) {
    watchdog = setInterval(
      () => {
        const stall = isStopping ? null : liveness.stalled();
        if (!stall) return;
        const seconds = Math.round(stall.idleMs / 1000);
        const err = new Error(
          stall.handling
            ? `a chunk handler of group ${opts.groupId} has run for ${seconds} s`
            : `consumer of group ${opts.groupId} made no progress (no fetch, batch or join) for ${seconds} s`,
        );
        logger.error({ err, groupId: opts.groupId }, 'consumer stalled');
        liveness.progress(); // count afresh: one report per stall period
        opts.onCrash?.(err);
      },
      Math.min(5000, stallMs),
    );
    watchdog.unref();
  }

  const knownPoison = new Set<string>();
  const poison = opts.poison;
  const handle: ChunkHandler = poison
    ? (records, ctx) => handleChunkIsolatingPoison(records, ctx, opts.handleChunk, poison, logger, knownPoison)
    : opts.handleChunk;
  const chunkSize = opts.chunkSize ?? 500;

  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload) => {
      /** A rebalance reported by the background heartbeat: finish (or abandon) the chunk and rejoin. */
      let rebalancing: unknown = null;
      const ctx: BatchContext = {
        topic: batch.topic,
        partition: batch.partition,
        shouldContinue: () => !isStopping && isRunning() && !isStale() && rebalancing === null,
      };
      for (let i = 0; i < batch.messages.length; i += chunkSize) {
        if (!ctx.shouldContinue()) return;
        const chunk = batch.messages.slice(i, i + chunkSize);
        const records = chunk.map((m) => toInboundRecord(batch.topic, batch.partition, m));
        liveness.chunkStarted();
        // The one heartbeat of this chunk, covering the handler, its retries and poison hand-overs.
        const stopHeartbeat = heartbeatInBackground(heartbeat, (err) => {
          rebalancing ??= err;
        });
        try {
          await handle(records, ctx);
        } finally {
          stopHeartbeat();
          liveness.chunkEnded();
        }
        const last = chunk[chunk.length - 1];
        if (last) {
          resolveOffset(last.offset);
          // With autoCommit off, only an explicit offset list commits (the next offset to read).
          await commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
          });
        }
        if (rebalancing) throw rebalancing;
        await heartbeat();
      }
    },
  });

  let stopped: Promise<void> | null = null;
  return {
    stop: () =>
      (stopped ??= (async () => {
        isStopping = true;
        if (watchdog) clearInterval(watchdog);
        await consumer.stop();
        await consumer.disconnect();
      })()),
  };
}
