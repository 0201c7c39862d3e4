// GET /api/v1/pipeline: what was accepted, duplicated and rejected, and how much is still in flight
// (published but not yet applied to the KPIs: ingestion lag + indicator lag).
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { CONSUMER_GROUPS, type KafkaClient } from '@siliconalley/kafka';
import type { Store } from '@siliconalley/store';

/** Topics a group of ours reads: the indicator reads the accepted topic; an ingest group its streams (named in its id). */
function topicsOfGroup(group: string, suffix: string): string[] {
  const base = suffix ? group.slice(0, -suffix.length) : group;
  if (base === CONSUMER_GROUPS.indicator) return [TOPICS.accepted];
  const ingestPrefix = CONSUMER_GROUPS.ingest([]);
  if (!base.startsWith(ingestPrefix)) return [];
  const streams = base.slice(ingestPrefix.length).split('-');
  return SOURCE_TOPICS.filter((topic) => streams.some((stream) => TOPICS[stream as keyof typeof TOPICS] === topic));
}

export async function pipelineStatus(kafka: KafkaClient, store: Store) {
  const counts = await store.dispositions.counts();
  const groups = await kafka.withAdmin((admin) => admin.listGroups());
  // Groups of this deployment only: namespaced ones end in `.<namespace>`, and un-namespaced ids have no dot.
  const suffix = kafka.group('');
  const ours = groups.groups
    .map((g) => g.groupId)
    .filter((g) => g.startsWith(CONSUMER_GROUPS.prefix) && (suffix ? g.endsWith(suffix) : !g.includes('.')));
  const sourceTopics = SOURCE_TOPICS.map((t) => kafka.topic(t));
  const acceptedTopic = kafka.topic(TOPICS.accepted);
  // Lag of each topic some group of ours reads; when several groups read one topic, the one furthest behind.
  const lagByTopic: Record<string, number> = {};
  for (const group of ours) {
    const topics = topicsOfGroup(group, suffix).map((t) => kafka.topic(t));
    if (topics.length === 0) continue;
    const lag = await kafka.consumerLag(group, topics);
    for (const [topic, n] of Object.entries(lag)) lagByTopic[topic] = Math.max(lagByTopic[topic] ?? 0, n);
  }
  // A topic nobody has consumed yet is entirely lag.
  const endOffsets = async (topic: string) =>
    kafka.withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0));
  const lagOf = async (topic: string) => lagByTopic[topic] ?? (await endOffsets(topic));
  const topics = await Promise.all(
    sourceTopics.map(async (topic) => {
      const lag = await lagOf(topic);
      const t = counts.byTopic[topic] ?? { accepted: 0, duplicates: 0, rejected: 0 };
      return { topic, lag, accepted: t.accepted, duplicates: t.duplicates, rejected: t.rejected, lastEventTime: await store.events.newestTime(topic) };
    }),
  );
  const indicatorLag = await lagOf(acceptedTopic);
  return {
    accepted: counts.accepted,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    lag: topics.reduce((n, t) => n + t.lag, 0) + indicatorLag,
    topics,
    indicator: { topic: acceptedTopic, lag: indicatorLag },
  };
}
