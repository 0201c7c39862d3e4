// Our adapter around kafkajs (unmaintained upstream): the rest of the code never imports kafkajs,
// so a replacement client touches this package only.
// First: kafkajs' negative throttle timeout, which Node 24 warns about (see the module).
import './negative-timeout';
import {
  CompressionTypes,
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from '@siliconalley/logger';

/** A record as the domain sees it: headers decoded as UTF-8 strings. */
export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string | undefined>;
  value: Buffer | null;
  /** Broker/producer timestamp, ms since epoch. */
  timestamp: number;
}

export interface OutboundRecord {
  key: string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1 = keep forever (source topics are the record of what providers sent). */
  retentionMs?: number;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Appended to topic names and group ids so tests can isolate themselves. */
  namespace?: string;
}

export const namespacedTopic = (topic: string, namespace = ''): string => (namespace ? `${topic}.${namespace}` : topic);

function toPinoLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const child = { component: 'kafkajs', ...extra };
      // kafkajs logs every retried request error as ERROR; what really fails reaches us as a
      // rejected promise or a CRASH event, which the services log as errors themselves.
      if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.WARN) logger.info(child, message);
      else if (level === KafkaLogLevel.INFO) logger.debug(child, message);
      else logger.trace(child, message);
    };
}

/** Header names are the provider's: held in a null-prototype object, so `__proto__` is a header like any other. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const out = Object.create(null) as Record<string, string | undefined>;
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    out[name.toLowerCase()] = v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

export function toInboundRecord(topic: string, partition: number, m: KafkaMessage): InboundRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    headers: decodeHeaders(m.headers),
    value: m.value,
    timestamp: Number(m.timestamp),
  };
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Call while processing long batches so the group doesn't consider us dead. */
  heartbeat: () => Promise<void>;
  /** False once a rebalance or shutdown asks us to stop: finish the current chunk and return. */
  shouldContinue: () => boolean;
}

/**
 * Handles a chunk of records durably (store/DLQ writes done) before it resolves; offsets are
 * committed only after it resolves, so a crash at any point re-delivers the chunk.
 */
export type ChunkHandler = (records: InboundRecord[], ctx: BatchContext) => Promise<void>;

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  handleChunk: ChunkHandler;
  /** Records per durable chunk inside a fetched batch. */
  chunkSize?: number;
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

export interface PoisonOptions {
  handle: (record: InboundRecord, err: unknown) => Promise<void>;
  healthy: () => Promise<boolean>;
  /** Attempts of the whole chunk, then of each record alone, before a record counts as poison (default 3). */
  attempts?: number;
  /** Pause between attempts, ms (default 500; doubled each time). */
  backoffMs?: number;
}

/**
 * Handles a chunk with `handleChunk`, isolating poison records (see `ConsumerOptions.poison`): the
 * chunk is tried `attempts` times, and once more if its dependencies are up (else the error goes to
 * the caller and the chunk is re-delivered whole); if it still fails it is split in halves, recursively, so the
 * healthy records go on in large chunks and a poison record is found in about 2·log2(n) calls.
 * `known` remembers poison positions, so a re-delivered chunk skips straight to them.
 * Exported for unit tests; `consume` uses it.
 */
export async function handleChunkIsolatingPoison(
  records: InboundRecord[],
  ctx: BatchContext,
  handleChunk: ChunkHandler,
  poison: PoisonOptions,
  logger?: Logger,
  known: Set<string> = new Set(),
): Promise<void> {
  const attempts = poison.attempts ?? 3;
  const backoff = poison.backoffMs ?? 500;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const positionOf = (r: InboundRecord) => `${r.topic}/${r.partition}/${r.offset}`;
  const tryHandle = async (chunk: InboundRecord[], tries: number): Promise<unknown> => {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < tries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1));
      // Splitting may take long: when the group rebalances, rejoin now (the chunk is re-delivered)
      // rather than finish and be evicted for missing the rejoin.
      if (!ctx.shouldContinue()) throw new Error('the group is rebalancing: the chunk is left for re-delivery');
      // Splitting takes longer than one chunk: keep the membership alive (throttled by the client).
      await ctx.heartbeat();
      try {
        await handleChunk(chunk, ctx);
        return null;
      } catch (err) {
        lastError = err;
      }
    }
    return lastError ?? new Error('chunk failed');
  };
  const handOver = async (record: InboundRecord, err: unknown) => {
    known.add(positionOf(record));
    if (known.size > 10000) known.delete(known.values().next().value!);
    logger?.error({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'poison record: handing it over instead of retrying it forever');
    await poison.handle(record, err);
  };
  const healthy = () => poison.healthy().catch(() => false);
  const isolate = async (chunk: InboundRecord[], err: unknown): Promise<void> => {
    // A part failing while a dependency is down says nothing about its records: stop splitting and
    // let the whole chunk be re-delivered. Splitting on through an outage cost the 1M-event chaos
    // run its progress: every piece of a re-delivered chunk repeated the store's lookups.
    if (!(await healthy())) throw err;
    if (chunk.length === 1) {
      const record = chunk[0]!;
      // Failing alone: the record's fault only if it still fails once everything it depends on is
      // up (an outage that just ended is not the record's fault).
      const again = await tryHandle(chunk, 1);
      if (again === null) return;
      await handOver(record, again);
      return;
    }
    const middle = Math.ceil(chunk.length / 2);
    for (const half of [chunk.slice(0, middle), chunk.slice(middle)]) {
      const halfError = await tryHandle(half, 1);
      if (halfError !== null) await isolate(half, halfError);
    }
  };

  // Known poison in a re-delivered chunk: hand it over again (idempotent) and handle the rest around it.
  let start = 0;
  for (let i = 0; i < records.length; i++) {
    if (!known.has(positionOf(records[i]!))) continue;
    if (i > start) await handleChunkIsolatingPoison(records.slice(start, i), ctx, handleChunk, poison, logger, known);
    await handOver(records[i]!, new Error('known poison record (re-delivered)'));
    start = i + 1;
  }
  if (start > 0) {
    if (start < records.length) await handleChunkIsolatingPoison(records.slice(start), ctx, handleChunk, poison, logger, known);
    return;
  }
  let chunkError = await tryHandle(records, attempts);
  if (chunkError === null) return;
  // Only a chunk that fails while its dependencies are up is split, after one more whole try: the
  // failures may have been an outage that has just ended (a database restart).
  if (!(await healthy())) throw chunkError;
  chunkError = await tryHandle(records, 1);
  if (chunkError === null) return;
  logger?.warn({ err: chunkError, topic: ctx.topic, partition: ctx.partition, records: records.length }, 'chunk keeps failing; splitting it to find the record that fails');
  await isolate(records, chunkError);
}

export interface ManagedConsumer {
  stop: () => Promise<void>;
  pause: () => void;
  resume: () => void;
  /** Number of group rebalances seen (joins), for bounded-rebalance checks. */
  rebalances: () => number;
  consumer: Consumer;
}

export class KafkaClient {
  readonly kafka: Kafka;
  private producerPromise: Promise<Producer> | null = null;
  private readonly admins: Admin[] = [];
  private readonly consumers: ManagedConsumer[] = [];

  constructor(private readonly opts: KafkaOptions) {
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logLevel: KafkaLogLevel.INFO,
      logCreator: toPinoLogCreator(opts.logger),
      connectionTimeout: 5000,
      requestTimeout: 30000,
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10000 },
    });
  }

  topic(base: string): string {
    return namespacedTopic(base, this.opts.namespace);
  }

  group(base: string): string {
    return this.opts.namespace ? `${base}.${this.opts.namespace}` : base;
  }

  async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Per topic, per partition: the offset after its last record (the broker's high watermark), i.e.
   * where a reader that has everything stands. Broker metadata, no consumer group involved.
   */
  async partitionEnds(topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
    return this.withAdmin(async (admin) => {
      const out: Record<string, Record<string, string>> = Object.create(null);
      for (const topic of topics) out[topic] = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [String(p.partition), p.high]));
      return out;
    });
  }

  /** Creates missing topics (auto-creation is off on our brokers); existing ones are left as they are. */
  async ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return [];
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: -1, // broker default: 1 locally, the cluster's default in production
          configEntries: [{ name: 'retention.ms', value: String(s.retentionMs ?? -1) }],
        })),
      }).catch((err: { type?: string }) => {
        if (err.type !== 'TOPIC_ALREADY_EXISTS') throw err; // another instance won the race
      });
      return missing.map((s) => s.topic);
    });
  }

  /** One idempotent producer per client: acks=all, retries without duplicates or reordering. */
  producer(): Promise<Producer> {
    if (!this.producerPromise) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner, // murmur2, same as the Java client
        allowAutoTopicCreation: false,
      });
      this.producerPromise = producer.connect().then(() => producer);
      this.producerPromise.catch(() => {
        this.producerPromise = null;
      });
    }
    return this.producerPromise;
  }

  /** Produces and resolves only when every in-sync replica has the records (acks=all). */
  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.producer();
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    });
  }

  async connectProducer(): Promise<void> {
    await this.producer();
  }

  /**
   * Runs a consumer group with eachBatch and manual commits: each chunk is handled durably, then its
   * offsets are resolved and committed, with heartbeats between chunks.
   */
  async consume(opts: ConsumerOptions): Promise<ManagedConsumer> {
    const consumer = this.kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 1024 * 1024,
    });
    let rebalances = 0;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      rebalances += 1;
      // One line per member and generation (the leader's line counts generations): rebalance audits read it.
      const { memberId, leaderId, isLeader, memberAssignment, duration } = event.payload;
      this.opts.logger.info({ groupId: opts.groupId, memberId, leaderId, isLeader, assignment: memberAssignment, durationMs: duration }, 'joined consumer group');
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const err = event.payload.error;
      this.opts.logger.error({ err, groupId: opts.groupId, restart: event.payload.restart }, 'consumer crashed');
      if (!event.payload.restart) opts.onCrash?.(err);
    });
    if (opts.onAssignment) {
      const onAssignment = opts.onAssignment;
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assignment = event.payload.memberAssignment as Record<string, number[]>;
        for (const seek of onAssignment(assignment)) consumer.seek(seek);
      });
    }
    const knownPoison = new Set<string>();
    let lastProgress = Date.now();
    let handling = 0;
    const progress = () => {
      lastProgress = Date.now();
    };
    for (const e of [consumer.events.FETCH, consumer.events.START_BATCH_PROCESS, consumer.events.END_BATCH_PROCESS, consumer.events.GROUP_JOIN]) {
      consumer.on(e, progress);
    }
    // Off unless asked for: on a starved machine an idle consumer can go minutes without a fetch
    // event, and an exit there is a false alarm (the chaos harness turns it on for its services).
    const stallMs = opts.stallTimeoutMs ?? 0;
    let watchdog: NodeJS.Timeout | null = null;
    if (stallMs > 0) {
      watchdog = setInterval(() => {
        // A chunk handler may take long (its heartbeats keep the membership), but not forever.
        const limit = handling > 0 ? Math.max(300000, 5 * stallMs) : stallMs;
        if (Date.now() - lastProgress < limit) return;
        const err = new Error(
          handling > 0
            ? `a chunk handler of group ${opts.groupId} has run for ${Math.round((Date.now() - lastProgress) / 1000)} s`
            : `consumer of group ${opts.groupId} made no progress (no fetch, batch or join) for ${Math.round((Date.now() - lastProgress) / 1000)} s`,
        );
        this.opts.logger.error({ err, groupId: opts.groupId }, 'consumer stalled');
        lastProgress = Date.now();
        opts.onCrash?.(err);
      }, Math.min(5000, stallMs));
      watchdog.unref();
    }
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
    const chunkSize = opts.chunkSize ?? 500;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
        /** A rebalance reported by the background heartbeats: finish (or abandon) the chunk and rejoin. */
        let rebalancing: unknown = null;
        const ctx: BatchContext = {
          topic: batch.topic,
          partition: batch.partition,
          heartbeat,
          shouldContinue: () => isRunning() && !isStale() && rebalancing === null,
        };
        for (let i = 0; i < batch.messages.length; i += chunkSize) {
          if (!ctx.shouldContinue()) return;
          const chunk = batch.messages.slice(i, i + chunkSize);
          const records = chunk.map((m) => toInboundRecord(batch.topic, batch.partition, m));
          handling += 1;
          progress();
          // kafkajs heartbeats only between our calls; a slow chunk (a busy database: a re-delivered
          // chunk's duplicate-key writes are several times slower on FerretDB) must not get this member
          // evicted, or the chunk is re-delivered, is slow again, and the partition never moves (found
          // by packages/chaos). So heartbeat in the background while the chunk is handled, like the
          // Java client's heartbeat thread; a rebalance it reports ends the batch after this chunk.
          let beat: Promise<void> | null = null;
          const beating = setInterval(() => {
            if (beat) return; // one heartbeat at a time, however slow the broker answers
            beat = heartbeat()
              .catch((err: unknown) => {
                rebalancing ??= err;
              })
              .finally(() => {
                beat = null;
              });
          }, 1000);
          try {
            if (opts.poison) await handleChunkIsolatingPoison(records, ctx, opts.handleChunk, opts.poison, this.opts.logger, knownPoison);
            else await opts.handleChunk(records, ctx);
          } finally {
            clearInterval(beating);
            handling -= 1;
            progress();
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
    const managed: ManagedConsumer = {
      consumer,
      stop: async () => {
        if (watchdog) clearInterval(watchdog);
        await consumer.stop();
        await consumer.disconnect();
      },
      pause: () => consumer.pause(opts.topics.map((topic) => ({ topic }))),
      resume: () => consumer.resume(opts.topics.map((topic) => ({ topic }))),
      rebalances: () => rebalances,
    };
    this.consumers.push(managed);
    return managed;
  }

  /** Records published but not yet committed by the group, per topic. */
  async consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    return this.withAdmin(async (admin) => {
      const out: Record<string, number> = {};
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const t of committed) {
        const ends = await admin.fetchTopicOffsets(t.topic);
        let lag = 0;
        for (const p of ends) {
          const c = t.partitions.find((x) => x.partition === p.partition);
          const start = Number(p.low);
          const committedOffset = c && Number(c.offset) >= 0 ? Number(c.offset) : start;
          lag += Math.max(0, Number(p.high) - committedOffset);
        }
        out[t.topic] = lag;
      }
      return out;
    });
  }

  /**
   * Reports the group's lag per topic every `intervalMs` (for a gauge); returns a stopper.
   * Failures are passed to `onError` and retried at the next tick.
   */
  /**
   * Reports the group's lag every `intervalMs`, one check at a time. The returned stop resolves once
   * the check in flight (if any) has finished, so a shutdown that awaits it leaves no admin request
   * running behind it.
   */
  monitorLag(groupId: string, topics: string[], report: (topic: string, lag: number) => void, intervalMs = 5000, onError?: (err: unknown) => void): () => Promise<void> {
    let inFlight: Promise<void> | null = null;
    const timer = setInterval(() => {
      inFlight ??= this.consumerLag(groupId, topics)
        .then((lag) => {
          for (const [topic, n] of Object.entries(lag)) report(topic, n);
        })
        .catch((err) => onError?.(err))
        .finally(() => (inFlight = null));
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await inFlight;
    };
  }

  /** Readiness: the cluster answers a metadata request. */
  async ping(): Promise<boolean> {
    // Few retries: readiness must answer within a probe's timeout, not after the client's backoff.
    const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Stops consumers first (no new work), then flushes and closes the producer. */
  async close(): Promise<void> {
    for (const c of this.consumers.splice(0)) await c.stop().catch(() => undefined);
    if (this.producerPromise) {
      const p = await this.producerPromise.catch(() => null);
      this.producerPromise = null;
      await p?.disconnect();
    }
    for (const a of this.admins.splice(0)) await a.disconnect().catch(() => undefined);
  }
}

/** Headers a dead-letter record carries next to the original key, headers and value. */
export const DLQ_HEADERS = {
  reason: 'sa_dlq_reason',
  message: 'sa_dlq_message',
  topic: 'sa_dlq_source_topic',
  partition: 'sa_dlq_source_partition',
  offset: 'sa_dlq_source_offset',
  rejectedAt: 'sa_dlq_rejected_at',
} as const;

export interface DeadLetter {
  record: Pick<InboundRecord, 'key' | 'headers' | 'value'>;
  origin: { topic: string; partition: number | null; offset: string | null };
  reason: string;
  message: string;
}

/** Writes rejected records to the dead-letter topic, keeping the original record intact. */
export class DeadLetterProducer {
  constructor(
    private readonly client: KafkaClient,
    private readonly topic: string,
  ) {}

  async send(letters: DeadLetter[], now: Date = new Date()): Promise<void> {
    await this.client.send(
      this.topic,
      letters.map((l) => {
        // The original record's header names are the provider's (null prototype: `__proto__` is kept too).
        const headers = Object.create(null) as Record<string, string>;
        for (const [k, v] of Object.entries(l.record.headers)) if (v !== undefined) headers[k] = v;
        headers[DLQ_HEADERS.reason] = l.reason;
        headers[DLQ_HEADERS.message] = l.message;
        headers[DLQ_HEADERS.topic] = l.origin.topic;
        if (l.origin.partition !== null) headers[DLQ_HEADERS.partition] = String(l.origin.partition);
        if (l.origin.offset !== null) headers[DLQ_HEADERS.offset] = l.origin.offset;
        headers[DLQ_HEADERS.rejectedAt] = now.toISOString();
        return { key: l.record.key, value: l.record.value, headers };
      }),
    );
  }
}

/** Consumer group names: one home, so the pipeline view can find every group's lag. */
export const CONSUMER_GROUPS = {
  ingest: (streams: readonly string[]) => `siliconalley-ingest-${[...streams].sort().join('-')}`,
  indicator: 'siliconalley-indicator',
  prefix: 'siliconalley-',
} as const;

/**
 * Records a reader has still to process: per partition, its end less the next offset the reader will
 * process (a partition it has not started counts whole).
 */
export function offsetsBehind(ends: Readonly<Record<string, string>>, done: Readonly<Record<string, string>>): number {
  let behind = 0n;
  for (const [partition, end] of Object.entries(ends)) {
    const gap = BigInt(end) - BigInt(done[partition] ?? '0');
    if (gap > 0n) behind += gap;
  }
  return Number(behind);
}
