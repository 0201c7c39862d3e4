// The ingestion door: validate each record with the contract, store accepted events once,
// dead-letter the rest, forward accepted events to the internal topic, record every disposition.
// A chunk resolves only when all of that is durable; the consumer commits offsets after it.
import { parseKafkaRecord, type AcceptedEvent } from '@siliconalley/contract';
import type { DeadLetterProducer, InboundRecord, KafkaClient } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import { eventKey, type InsertOutcome, type Store, type StoredDisposition, type StoredEvent } from '@siliconalley/store';
import type { IngestMetrics } from './metrics';

export interface PipelineDeps {
  store: Store;
  kafka: KafkaClient;
  deadLetters: DeadLetterProducer;
  acceptedTopic: string;
  metrics: IngestMetrics;
  logger: Logger;
  legacyUsccAllowList: ReadonlySet<string>;
  /** The base (un-namespaced) topic name of a record's topic, for the contract's topic rules. */
  baseTopic: (topic: string) => string;
}

const position = (r: InboundRecord) => `${r.topic}/${r.partition}/${r.offset}`;

/**
 * Best effort: the provider, id and type of a record we could not accept (binary headers, or the
 * JSON value's attributes), for data-quality counts by provider. Never trusted for anything else.
 */
export function envelopeHints(record: InboundRecord): { source: string | null; id: string | null; type: string | null } {
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 512 ? v : null);
  if (record.headers.ce_source !== undefined || record.headers.ce_id !== undefined) {
    return { source: str(record.headers.ce_source), id: str(record.headers.ce_id), type: str(record.headers.ce_type) };
  }
  try {
    const v = JSON.parse(record.value?.toString('utf8') ?? '') as Record<string, unknown>;
    return { source: str(v?.source), id: str(v?.id), type: str(v?.type) };
  } catch {
    return { source: null, id: null, type: null };
  }
}

export async function ingestChunk(records: InboundRecord[], deps: PipelineDeps): Promise<void> {
  const end = deps.metrics.chunkSeconds.startTimer();
  const now = new Date();
  const dispositions: StoredDisposition[] = [];
  const toStore: { record: InboundRecord; event: AcceptedEvent; doc: StoredEvent }[] = [];
  const letters: Parameters<DeadLetterProducer['send']>[0] = [];

  for (const record of records) {
    deps.metrics.consumed.inc({ topic: record.topic });
    // Arrival is when the broker got the record: `future_dated` is judged against that day.
    const receivedAt = Number.isFinite(record.timestamp) && record.timestamp > 0 ? new Date(record.timestamp) : now;
    const parsed = parseKafkaRecord(
      { topic: deps.baseTopic(record.topic), key: record.key, headers: record.headers, value: record.value },
      { receivedAt, legacyUsccAllowList: deps.legacyUsccAllowList },
    );
    if (parsed.ok) {
      const { event } = parsed;
      toStore.push({
        record,
        event,
        doc: {
          _id: eventKey(event.source, event.id),
          source: event.source,
          id: event.id,
          type: event.type,
          subject: event.subject,
          time: event.time,
          timeInstant: new Date(event.time),
          effectiveDate: event.effectiveDate,
          data: event.data,
          contentMode: parsed.contentMode,
          origin: { topic: record.topic, partition: record.partition, offset: record.offset },
          receivedAt,
        },
      });
    } else {
      const hints = envelopeHints(record);
      letters.push({
        record,
        origin: { topic: record.topic, partition: record.partition, offset: record.offset },
        reason: parsed.reason,
        message: parsed.message,
      });
      dispositions.push({ _id: position(record), topic: record.topic, disposition: 'rejected', reason: parsed.reason, source: hints.source, eventId: hints.id, type: hints.type, at: now });
      deps.metrics.rejected.inc({ reason: parsed.reason });
    }
  }

  // A provider's re-send usually follows its original closely, within the same chunk: settle those
  // here (the later copy is the duplicate, as in arrival order). A duplicate key inside a bulk insert
  // makes FerretDB redo the whole batch record by record, several times slower than the insert.
  const slotOfKey = new Map<string, number>();
  const unique: StoredEvent[] = [];
  const slots = toStore.map(({ doc }) => {
    if (slotOfKey.has(doc._id)) return -1;
    slotOfKey.set(doc._id, unique.push(doc) - 1);
    return unique.length - 1;
  });
  const stored = await deps.store.events.insertMany(unique);
  const outcomes: InsertOutcome[] = slots.map((slot) => (slot < 0 ? 'duplicate' : stored[slot]!));
  const forward: AcceptedEvent[] = [];
  toStore.forEach(({ record, event }, i) => {
    const outcome = outcomes[i];
    if (outcome === 'duplicate') {
      deps.metrics.duplicates.inc();
      dispositions.push({ _id: position(record), topic: record.topic, disposition: 'duplicate', reason: null, source: event.source, eventId: event.id, type: event.type, at: now });
    } else {
      // `redelivered` (a crash after the store write) is forwarded again: downstream dedupes by (source, id).
      if (outcome === 'inserted') deps.metrics.accepted.inc({ type: event.type });
      forward.push(event);
      dispositions.push({ _id: position(record), topic: record.topic, disposition: 'accepted', reason: null, source: event.source, eventId: event.id, type: event.type, at: now });
    }
  });

  await deps.deadLetters.send(letters, now);
  await deps.kafka.send(
    deps.acceptedTopic,
    forward.map((event) => ({ key: event.subject, value: JSON.stringify(event), headers: { 'content-type': 'application/json' } })),
  );
  await deps.store.dispositions.record(dispositions);
  end();
  if (letters.length) deps.logger.info({ rejected: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] }, 'records dead-lettered');
}
