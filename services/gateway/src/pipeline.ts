// GET /api/v1/pipeline: what was accepted, duplicated and rejected, and how much is still in flight
// (published but not yet applied to the KPIs: ingestion lag + indicator lag).
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { CONSUMER_GROUPS, type KafkaClient } from '@siliconalley/kafka';
import type { Store } from '@siliconalley/store';

export async function pipelineStatus(kafka: KafkaClient, store: Store) {
  const counts = await store.dispositions.counts();
  const groups = await kafka.withAdmin((admin) => admin.listGroups());
  const ours = groups.groups.map((g) => g.groupId).filter((g) => g.startsWith(CONSUMER_GROUPS.prefix));
  const sourceTopics = SOURCE_TOPICS.map((t) => kafka.topic(t));
  const acceptedTopic = kafka.topic(TOPICS.accepted);
  const lagByTopic: Record<string, number> = {};
  for (const group of ours) {
    const isIndicator = group.startsWith(CONSUMER_GROUPS.indicator);
    const lag = await kafka.consumerLag(group, isIndicator ? [acceptedTopic] : sourceTopics);
    for (const [topic, n] of Object.entries(lag)) lagByTopic[topic] = (lagByTopic[topic] ?? 0) + n;
  }
  // A source topic nobody has consumed yet is entirely lag.
  const endOffsets = async (topic: string) =>
    kafka.withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0));
  const topics = await Promise.all(
    sourceTopics.map(async (topic) => {
      const consumed = ours.some((g) => !g.startsWith(CONSUMER_GROUPS.indicator));
      const lag = consumed ? (lagByTopic[topic] ?? 0) : await endOffsets(topic);
      const t = counts.byTopic[topic] ?? { accepted: 0, duplicates: 0, rejected: 0 };
      return { topic, lag, accepted: t.accepted, duplicates: t.duplicates, rejected: t.rejected, lastEventTime: await store.events.newestTime(topic) };
    }),
  );
  const indicatorLag = ours.some((g) => g.startsWith(CONSUMER_GROUPS.indicator)) ? (lagByTopic[acceptedTopic] ?? 0) : await endOffsets(acceptedTopic);
  return {
    accepted: counts.accepted,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    lag: topics.reduce((n, t) => n + t.lag, 0) + indicatorLag,
    topics,
    indicator: { topic: acceptedTopic, lag: indicatorLag },
  };
}
