// GET /api/v1/pipeline: what was accepted, duplicated and rejected, and how much is still in flight
// (published but not yet applied to the KPIs: ingestion lag + indicator lag). Every number comes
// from state kept as the work happens: the ingest ledgers (one small document per source
// partition), the broker's partition ends, and the indicator's own answer of how far it applied —
// never from counting the event store or reading another service's consumer group.
import type { IndicatorClient } from '@siliconalley/api';
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { offsetsBehind, type KafkaClient } from '@siliconalley/kafka';
import type { LedgerRepository } from '@siliconalley/store';

/** What the status reads of the broker (a KafkaClient): namespaced topic names and partition ends. */
export type PipelineBroker = Pick<KafkaClient, 'topic' | 'partitionEnds'>;
/** What the status reads of the store: the ingest ledgers' totals. */
export interface PipelineLedgers {
  ledgers: Pick<LedgerRepository, 'totals'>;
}

export async function pipelineStatus(kafka: PipelineBroker, store: PipelineLedgers, indicators: Pick<IndicatorClient, 'applied'>) {
  const sourceTopics = SOURCE_TOPICS.map((t) => kafka.topic(t));
  const acceptedTopic = kafka.topic(TOPICS.accepted);
  // Without an indicator answer the ingestion numbers still stand (a provider watches its backfill
  // settle); what the KPIs have applied is then unknown, and said so.
  const [totals, ends, applied] = await Promise.all([
    store.ledgers.totals(),
    kafka.partitionEnds([...sourceTopics, acceptedTopic]),
    indicators.applied().catch(() => null),
  ]);
  const topics = sourceTopics.map((topic) => {
    const t = totals.byTopic[topic];
    return {
      topic,
      lag: offsetsBehind(ends[topic] ?? {}, t?.settled ?? {}),
      accepted: t?.accepted ?? 0,
      duplicates: t?.duplicates ?? 0,
      rejected: t?.rejected ?? 0,
      lastEventTime: t?.lastEventTime ?? null,
    };
  });
  const indicatorLag = applied ? offsetsBehind(ends[acceptedTopic] ?? {}, applied.offsets) : null;
  return {
    accepted: totals.accepted,
    duplicates: totals.duplicates,
    rejected: { ...totals.rejected },
    lag: indicatorLag === null ? null : topics.reduce((n, t) => n + t.lag, 0) + indicatorLag,
    topics,
    indicator: applied
      ? { topic: acceptedTopic, lag: indicatorLag, ready: applied.ready }
      : { topic: acceptedTopic, lag: null, ready: false, unavailable: true },
  };
}
