import { TOPICS } from '@siliconalley/contract';
import { namespacedTopic, TOPIC_PARTITIONS, type TopicSpec } from '@siliconalley/kafka';

/** Partitions per topic: the Kafka package's constant (docker-compose.yml must match it). */
export { TOPIC_PARTITIONS };

/** Every topic the system uses; all keep their records forever (retention -1): they are the record of truth. */
export function topicSpecs(namespace: string): TopicSpec[] {
  return Object.values(TOPICS).map((topic) => ({ topic: namespacedTopic(topic, namespace), partitions: TOPIC_PARTITIONS, retentionMs: -1 }));
}
