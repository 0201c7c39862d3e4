import { TOPICS } from '@siliconalley/contract';
import { ACCEPTED_TOPIC_PARTITIONS, namespacedTopic, TOPIC_PARTITIONS, type TopicSpec } from '@siliconalley/kafka';

/** Partitions per topic: the Kafka package's constants (docker-compose.yml must match them). */
export { ACCEPTED_TOPIC_PARTITIONS, TOPIC_PARTITIONS };

/** Every topic the system uses; all keep their records forever (retention -1): they are the record of truth. */
export function topicSpecs(namespace: string): TopicSpec[] {
  return Object.values(TOPICS).map((topic) => ({
    topic: namespacedTopic(topic, namespace),
    partitions: topic === TOPICS.accepted ? ACCEPTED_TOPIC_PARTITIONS : TOPIC_PARTITIONS,
    retentionMs: -1,
  }));
}
