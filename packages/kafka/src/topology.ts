// Names other processes rely on: consumer groups, partition count, dead-letter headers, and how a
// namespace is appended. Topic names themselves live in @siliconalley/contract (TOPICS): they are
// part of the event contract, and this package stays independent of it.

/**
 * Partitions per topic: ≥ 3 so that scale-out by consumer group has something to share.
 * docker-compose.yml must match (KAFKA_NUM_PARTITIONS and the kafka-init `--partitions`).
 */
export const TOPIC_PARTITIONS = 3;

/**
 * Partitions of the accepted topic: the indicator's unit of scale-out. Each instance holds the firms
 * of the partitions it owns in memory (~1.2 KB a firm), so a history of millions of firms needs more
 * instances than the source topics need ingestion consumers; 12 shares evenly among 1, 2, 3, 4, 6 or
 * 12 instances. docker-compose.yml must match (the kafka-init `--partitions` of the accepted topic).
 */
export const ACCEPTED_TOPIC_PARTITIONS = 12;

/** Consumer group names: one home, so the pipeline view can find every group's lag. */
export const CONSUMER_GROUPS = {
  ingest: (streams: readonly string[]) => `siliconalley-ingest-${[...streams].sort().join('-')}`,
  indicator: 'siliconalley-indicator',
  prefix: 'siliconalley-',
} as const;

/** Headers a dead-letter record carries next to the original key, headers and value. */
export const DLQ_HEADERS = {
  reason: 'sa_dlq_reason',
  message: 'sa_dlq_message',
  topic: 'sa_dlq_source_topic',
  partition: 'sa_dlq_source_partition',
  offset: 'sa_dlq_source_offset',
  rejectedAt: 'sa_dlq_rejected_at',
} as const;

/** A topic (or group) name with the namespace appended, so tests and runs can isolate themselves. */
export const namespacedTopic = (topic: string, namespace = ''): string => (namespace ? `${topic}.${namespace}` : topic);
