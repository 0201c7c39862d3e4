// The client the services hold: naming, the producer, consumers and typed admin requests over one
// kafkajs instance. Nothing outside this package sees kafkajs except through `withAdmin`.
import { Kafka, logLevel as KafkaLogLevel, type Admin } from 'kafkajs';
import type { Logger } from '@siliconalley/logger';
import { KafkaAdmin, type TopicSpec } from './admin';
import { startConsumer, type ConsumerOptions, type ManagedConsumer } from './consumer';
import { monitorLag, type PartitionRange } from './lag';
import { pinoLogCreator } from './log';
import { IdempotentProducer } from './producer';
import type { OutboundRecord } from './records';
import { namespacedTopic } from './topology';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Appended to topic names and group ids so tests can isolate themselves. */
  namespace?: string;
}

export class KafkaClient {
  private readonly kafka: Kafka;
  private readonly producer: IdempotentProducer;
  private readonly admin: KafkaAdmin;
  private readonly consumers: ManagedConsumer[] = [];

  constructor(private readonly opts: KafkaOptions) {
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logLevel: KafkaLogLevel.INFO,
      logCreator: pinoLogCreator(opts.logger),
      connectionTimeout: 5000,
      requestTimeout: 30000,
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10000 },
    });
    this.producer = new IdempotentProducer(this.kafka);
    this.admin = new KafkaAdmin(this.kafka);
  }

  topic(base: string): string {
    return namespacedTopic(base, this.opts.namespace);
  }

  group(base: string): string {
    return namespacedTopic(base, this.opts.namespace);
  }

  /** Produces and resolves only when every in-sync replica has the records (acks=all). */
  send(topic: string, records: OutboundRecord[]): Promise<void> {
    return this.producer.send(topic, records);
  }

  async connectProducer(): Promise<void> {
    await this.producer.connect();
  }

  /** Joins a consumer group (see ConsumerOptions); `close()` stops it too. */
  async consume(opts: ConsumerOptions): Promise<ManagedConsumer> {
    const consumer = await startConsumer(this.kafka, this.opts.logger, opts);
    this.consumers.push(consumer);
    return consumer;
  }

  /** Readiness: the cluster answers a metadata request (within a probe's timeout). */
  ping(): Promise<boolean> {
    return this.admin.ping();
  }

  /**
   * Per topic, per partition: the offset after its last record (the broker's high watermark), i.e.
   * where a reader that has everything stands. Broker metadata, no consumer group involved.
   */
  async partitionEnds(topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
    const ranges = await this.admin.partitionRanges(topics);
    const out: Record<string, Record<string, string>> = Object.create(null);
    for (const [topic, partitions] of Object.entries(ranges)) out[topic] = Object.fromEntries(Object.entries(partitions).map(([p, r]) => [p, r.end]));
    return out;
  }

  /** Per topic, per partition: the first offset still held and the offset after the last record. */
  partitionRanges(topics: readonly string[]): Promise<Record<string, Record<string, PartitionRange>>> {
    return this.admin.partitionRanges(topics);
  }

  /** Per topic, per partition: the group's committed offset (the next it reads; -1 when none). */
  groupOffsets(groupId: string, topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
    return this.admin.groupOffsets(groupId, topics);
  }

  /** Records published but not yet committed by the group, per topic. */
  consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    return this.admin.consumerLag(groupId, topics);
  }

  /** Reports the group's lag every `intervalMs`, one check at a time; the stop awaits the check in flight. */
  monitorLag(
    groupId: string,
    topics: string[],
    report: (topic: string, lag: number) => void,
    intervalMs = 5000,
    onError?: (err: unknown) => void,
  ): () => Promise<void> {
    return monitorLag(() => this.consumerLag(groupId, topics), report, intervalMs, onError);
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  /** Creates missing topics (auto-creation is off on our brokers); returns those it created. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]> {
    return this.admin.ensureTopics(specs);
  }

  deleteTopics(topics: readonly string[], timeoutMs?: number): Promise<void> {
    return this.admin.deleteTopics(topics, timeoutMs);
  }

  /**
   * Escape hatch for tools and tests: runs `fn` with a connected kafkajs admin. Services must use
   * the typed methods above, so that kafkajs stays behind this package.
   */
  withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    return this.admin.withAdmin(fn);
  }

  /** Stops consumers first (no new work), then flushes and closes the producer. */
  async close(): Promise<void> {
    for (const c of this.consumers.splice(0)) await c.stop().catch(() => undefined);
    await this.producer.disconnect();
  }
}
