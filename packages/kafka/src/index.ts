// Our adapter around kafkajs (unmaintained upstream): the rest of the code never imports kafkajs,
// so a replacement client touches this package only.
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

function decodeHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
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
  partitionsConsumedConcurrently?: number;
  /**
   * Called (synchronously) whenever the group assigns this member its partitions, with the full
   * assignment per topic; the positions it returns are sought before fetching goes on.
   */
  onAssignment?: (assignment: Record<string, number[]>) => { topic: string; partition: number; offset: string }[];
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
    consumer.on(consumer.events.GROUP_JOIN, () => {
      rebalances += 1;
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
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
    const chunkSize = opts.chunkSize ?? 500;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
        const ctx: BatchContext = {
          topic: batch.topic,
          partition: batch.partition,
          heartbeat,
          shouldContinue: () => isRunning() && !isStale(),
        };
        for (let i = 0; i < batch.messages.length; i += chunkSize) {
          if (!ctx.shouldContinue()) return;
          const chunk = batch.messages.slice(i, i + chunkSize);
          await opts.handleChunk(
            chunk.map((m) => toInboundRecord(batch.topic, batch.partition, m)),
            ctx,
          );
          const last = chunk[chunk.length - 1];
          if (last) {
            resolveOffset(last.offset);
            // With autoCommit off, only an explicit offset list commits (the next offset to read).
            await commitOffsetsIfNecessary({
              topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
            });
          }
          await heartbeat();
        }
      },
    });
    const managed: ManagedConsumer = {
      consumer,
      stop: async () => {
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
  monitorLag(groupId: string, topics: string[], report: (topic: string, lag: number) => void, intervalMs = 5000, onError?: (err: unknown) => void): () => void {
    const timer = setInterval(() => {
      this.consumerLag(groupId, topics)
        .then((lag) => {
          for (const [topic, n] of Object.entries(lag)) report(topic, n);
        })
        .catch((err) => onError?.(err));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
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
        const headers: Record<string, string> = {};
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
