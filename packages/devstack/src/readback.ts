import { recordPosition, type KafkaClient } from '@siliconalley/kafka';
import type { RawRecord } from './publish';

/**
 * Reads source topics back and maps each record's position (`topic/partition/offset`) to the index of
 * the published record it is. Identical records share a key, hence a partition, so their order there
 * is their publication order and the k-th copy read is the k-th published.
 */
export async function positionsOfPublished(kafka: KafkaClient, records: readonly RawRecord[], groupSuffix = 'readback'): Promise<Map<string, number>> {
  const signature = (topic: string, key: string | null, value: string) => `${topic}\u0000${key}\u0000${value}`;
  const linesBySignature = new Map<string, number[]>();
  records.forEach((r, i) => {
    const sig = signature(kafka.topic(r.topic), r.key, r.value);
    linesBySignature.set(sig, [...(linesBySignature.get(sig) ?? []), i]);
  });
  const topics = [...new Set(records.map((r) => kafka.topic(r.topic)))];
  const positions = new Map<string, number>();
  let complete!: () => void;
  const done = new Promise<void>((resolve) => {
    complete = resolve;
  });
  const consumer = await kafka.consume({
    groupId: kafka.group(groupSuffix),
    topics,
    handleChunk: async (chunk) => {
      for (const r of chunk) {
        const line = linesBySignature.get(signature(r.topic, r.key, r.value?.toString('utf8') ?? ''))?.shift();
        if (line !== undefined) positions.set(recordPosition(r), line);
      }
      if (positions.size === records.length) complete();
    },
  });
  await done;
  await consumer.stop();
  return positions;
}
