import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { CONSUMER_GROUPS, type KafkaClient } from '@siliconalley/kafka';

/**
 * True when everything published has been applied: the all-streams ingestion group has committed
 * every source record and the indicator group every accepted one (and it has committed at all).
 * For tests that run ingestion with every stream in one instance.
 */
export async function pipelineDrained(kafka: KafkaClient): Promise<boolean> {
  const indicatorLag = await kafka
    .consumerLag(kafka.group(CONSUMER_GROUPS.indicator), [kafka.topic(TOPICS.accepted)])
    .catch(() => ({}) as Record<string, number>);
  const ingestLag = await kafka.consumerLag(
    kafka.group(CONSUMER_GROUPS.ingest(['certification', 'enterprise', 'task'])),
    SOURCE_TOPICS.map((t) => kafka.topic(t)),
  );
  const total = [...Object.values(indicatorLag), ...Object.values(ingestLag)].reduce((a, b) => a + b, 0);
  return total === 0 && Object.keys(indicatorLag).length > 0;
}
