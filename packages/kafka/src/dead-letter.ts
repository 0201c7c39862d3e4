// Rejected records go to the dead-letter topic intact, with why and where from in headers.
import type { InboundRecord, OutboundRecord } from './records';
import { DLQ_HEADERS } from './topology';

export interface DeadLetter {
  record: Pick<InboundRecord, 'key' | 'headers' | 'value'>;
  origin: { topic: string; partition: number | null; offset: string | null };
  reason: string;
  message: string;
}

/** What the dead-letter producer needs of the client (a KafkaClient). */
export interface RecordSender {
  send(topic: string, records: OutboundRecord[]): Promise<void>;
}

/** Writes rejected records to the dead-letter topic, keeping the original record intact. */
export class DeadLetterProducer {
  constructor(
    private readonly client: RecordSender,
    private readonly topic: string,
  ) {}

  async send(letters: DeadLetter[], now: Date = new Date()): Promise<void> {
    await this.client.send(
      this.topic,
      letters.map((l) => {
        // The original record's header names are the provider's (null prototype: `__proto__` is kept too).
        const headers = Object.create(null) as Record<string, string | Buffer>;
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
