import { TOPICS } from '@siliconalley/contract';
import { namespacedTopic, type TopicSpec } from '@siliconalley/kafka';

/** Partitions per topic: ≥ 3 so that scale-out by consumer group has something to share. */
export const TOPIC_PARTITIONS = 3;

/** Every topic the system uses; all keep their records forever (retention -1): they are the record of truth. */
export function topicSpecs(namespace: string): TopicSpec[] {
  return Object.values(TOPICS).map((topic) => ({ topic: namespacedTopic(topic, namespace), partitions: TOPIC_PARTITIONS, retentionMs: -1 }));
}
