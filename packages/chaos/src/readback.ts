// Reading whole topics back (a fresh consumer group, from the start up to the ends they had when
// the read began): the source topics for the per-record check, the dead-letter topic for rejects.
import { createHash } from 'node:crypto';
import type { InboundRecord, KafkaClient } from '@siliconalley/kafka';

/** Identity of a published record for the checks: identical records share it. */
export const signature = (topic: string, key: string | null, value: string | Buffer | null): string =>
  createHash('sha1')
    .update(`${topic}\u0000${key ?? '\u0001'}\u0000`)
    .update(value ?? '')
    .digest('base64');

export async function readTopics(
  kafka: KafkaClient,
  topics: string[],
  onRecord: (r: InboundRecord) => void,
  groupSuffix: string,
  timeoutMs = 600000,
): Promise<number> {
  const remaining = new Map<string, bigint>();
  const ranges = await kafka.partitionRanges(topics);
  for (const topic of topics) {
    for (const [partition, { start, end }] of Object.entries(ranges[topic] ?? {})) {
      if (BigInt(end) > BigInt(start)) remaining.set(`${topic}/${partition}`, BigInt(end));
    }
  }
  if (remaining.size === 0) return 0;
  let count = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = await kafka.consume({
    groupId: kafka.group(`chaos-readback-${groupSuffix}-${Date.now()}`),
    topics,
    chunkSize: 5000,
    handleChunk: async (chunk) => {
      for (const r of chunk) {
        const key = `${r.topic}/${r.partition}`;
        const high = remaining.get(key);
        if (high === undefined || BigInt(r.offset) >= high) continue;
        onRecord(r);
        count += 1;
        if (BigInt(r.offset) + 1n >= high) remaining.delete(key);
      }
      if (remaining.size === 0) done();
    },
  });
  const timer = setTimeout(() => done(), timeoutMs);
  try {
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
  if (remaining.size > 0) throw new Error(`reading ${topics.join(', ')} back timed out; partitions not read to their end: ${[...remaining.keys()].join(', ')}`);
  return count;
}
