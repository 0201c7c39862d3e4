// Loads a log into the broker before anything is timed: a plain kafkajs producer with several
// requests in flight (the services' idempotent producer allows one, which is the right choice
// for them and a slow one for loading millions of records).
import { Kafka, logLevel, Partitioners, CompressionTypes } from 'kafkajs';
import { namespacedTopic } from '@siliconalley/kafka';
import type { ProviderRecord } from './records';

export interface Published {
  records: number;
  byTopic: Record<string, number>;
  seconds: number;
}

export async function publishLog(
  brokers: string[],
  namespace: string,
  records: Iterable<ProviderRecord>,
  opts: { batch?: number; maxBytes?: number; inFlight?: number; progress?: (n: number) => void } = {},
): Promise<Published> {
  const kafka = new Kafka({ clientId: `bench-load-${namespace}`, brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const started = Date.now();
  const byTopic: Record<string, number> = {};
  const inFlight = new Set<Promise<unknown>>();
  let pending = new Map<string, ProviderRecord[]>();
  let count = 0;
  const batch = opts.batch ?? 2000;
  // The broker refuses a request over message.max.bytes (1 MiB): a log's oversized records
  // (> 256 KiB each, to be rejected as too_large) must not add up past it in one request.
  const maxBytes = opts.maxBytes ?? 768 * 1024;
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    const topicMessages = [...pending].map(([topic, rs]) => ({
      topic: namespacedTopic(topic, namespace),
      messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    }));
    pending = new Map();
    pendingBytes = 0;
    const p = producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    if (inFlight.size >= (opts.inFlight ?? 4)) await Promise.race(inFlight);
  };
  try {
    let inBatch = 0;
    for (const r of records) {
      let list = pending.get(r.topic);
      if (!list) pending.set(r.topic, (list = []));
      list.push(r);
      byTopic[r.topic] = (byTopic[r.topic] ?? 0) + 1;
      count++;
      pendingBytes += Buffer.byteLength(r.value) + (r.key?.length ?? 0) + 64;
      if (++inBatch >= batch || pendingBytes >= maxBytes) {
        inBatch = 0;
        await flush();
        if (count % 100_000 < batch) opts.progress?.(count);
      }
    }
    if (pending.size) await flush();
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return { records: count, byTopic, seconds: (Date.now() - started) / 1000 };
}
