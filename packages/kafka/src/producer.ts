// One idempotent producer per client, connected on first use.
import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { OutboundRecord } from './records';

/** acks=all, retries without duplicates or reordering; keys partition as the Java client does. */
export class IdempotentProducer {
  private connected: Promise<Producer> | null = null;

  constructor(private readonly kafka: Kafka) {}

  /** Connects once; a failed connection is forgotten so that the next call tries again. */
  connect(): Promise<Producer> {
    if (!this.connected) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner, // murmur2, same as the Java client
        allowAutoTopicCreation: false,
      });
      this.connected = producer.connect().then(() => producer);
      this.connected.catch(() => {
        this.connected = null;
      });
    }
    return this.connected;
  }

  /** Resolves only when every in-sync replica has the records (acks=all). */
  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connect();
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    });
  }

  /** Flushes and disconnects, if it ever connected. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    const producer = await this.connected.catch(() => null);
    this.connected = null;
    await producer?.disconnect();
  }
}
