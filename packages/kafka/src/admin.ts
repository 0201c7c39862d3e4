// Typed admin requests: each opens an admin connection, asks, and closes it.
import type { Admin, Kafka } from 'kafkajs';
import { groupLag, type PartitionRange } from './lag';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1 = keep forever (source topics are the record of what providers sent). */
  retentionMs?: number;
}

export class KafkaAdmin {
  constructor(private readonly kafka: Kafka) {}

  /** Runs `fn` with a connected kafkajs admin, disconnected afterwards. */
  async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
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

  listTopics(): Promise<string[]> {
    return this.withAdmin((admin) => admin.listTopics());
  }

  /** Creates missing topics (auto-creation is off on our brokers); existing ones are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return [];
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            replicationFactor: -1, // broker default: 1 locally, the cluster's default in production
            configEntries: [{ name: 'retention.ms', value: String(s.retentionMs ?? -1) }],
          })),
        })
        .catch((err: { type?: string }) => {
          if (err.type !== 'TOPIC_ALREADY_EXISTS') throw err; // another instance won the race
        });
      return missing.map((s) => s.topic);
    });
  }

  async deleteTopics(topics: readonly string[], timeoutMs = 30000): Promise<void> {
    if (topics.length === 0) return;
    await this.withAdmin((admin) => admin.deleteTopics({ topics: [...topics], timeout: timeoutMs }));
  }

  /** Per topic, per partition: the first offset still held and the offset after the last record. */
  partitionRanges(topics: readonly string[]): Promise<Record<string, Record<string, PartitionRange>>> {
    return retryingLeaderMoves(() => this.withAdmin((admin) => rangesOf(admin, topics)));
  }

  /** Per topic, per partition: the group's committed offset (the next to read; -1 when none). */
  groupOffsets(groupId: string, topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
    return retryingLeaderMoves(() => this.withAdmin((admin) => committedOf(admin, groupId, topics)));
  }

  /** Records published but not yet committed by the group, per topic (one admin connection). */
  consumerLag(groupId: string, topics: readonly string[]): Promise<Record<string, number>> {
    return retryingLeaderMoves(() =>
      this.withAdmin(async (admin) => {
        // Commits first, ends second: the ends are at least as new, so lag is never under-reported.
        const committed = await committedOf(admin, groupId, topics);
        const ranges = await rangesOf(admin, topics);
        const out: Record<string, number> = {};
        for (const topic of topics) out[topic] = groupLag(ranges[topic] ?? {}, committed[topic] ?? {});
        return out;
      }),
    );
  }
}

async function rangesOf(admin: Admin, topics: readonly string[]): Promise<Record<string, Record<string, PartitionRange>>> {
  const out: Record<string, Record<string, PartitionRange>> = Object.create(null);
  for (const topic of topics) {
    out[topic] = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [String(p.partition), { start: p.low, end: p.high }]));
  }
  return out;
}

async function committedOf(admin: Admin, groupId: string, topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = Object.create(null);
  for (const t of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    out[t.topic] = Object.fromEntries(t.partitions.map((p) => [String(p.partition), p.offset]));
  }
  return out;
}

/**
 * Offset reads of a topic created a moment ago (or during a broker restart) can meet a partition
 * whose leader is not known yet (NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE: kafkajs marks them
 * retriable but its admin does not retry ListOffsets): retried with backoff, about 6 s in all.
 */
export async function retryingLeaderMoves<T>(read: () => Promise<T>, attempts = 7, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || (err as { retriable?: boolean }).retriable !== true) throw err;
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}
