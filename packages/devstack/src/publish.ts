import type { KafkaClient } from '@siliconalley/kafka';
import { namespacedTopic } from '@siliconalley/kafka';

/** A record as the fixtures store it (shared/fixtures/README.md): published exactly as given. */
export interface RawRecord {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
}

/**
 * Publishes records in their order, each to its topic with its key, headers and value. Consecutive
 * records of one topic go in one request; order per partition is kept (idempotent producer).
 */
export async function publishRecords(client: KafkaClient, records: readonly RawRecord[], namespace = '', batchSize = 500): Promise<void> {
  let i = 0;
  while (i < records.length) {
    const topic = records[i]!.topic;
    const run: RawRecord[] = [];
    while (i < records.length && records[i]!.topic === topic && run.length < batchSize) run.push(records[i++]!);
    await client.send(
      namespacedTopic(topic, namespace),
      run.map((r) => ({ key: r.key, headers: r.headers, value: r.value })),
    );
  }
}
