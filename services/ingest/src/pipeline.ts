// The ingestion door: validate each record with the contract, store accepted events once,
// dead-letter the rest, forward accepted events to the internal topic, record the verdicts the store
// does not hold (duplicates and rejections), and settle the records in the partition's ledger (the
// counts every view reads). A chunk resolves only when all of that is durable; the consumer commits
// offsets after it.
import { kafkaRecordHints, parseKafkaRecord, type AcceptedEvent } from '@siliconalley/contract';
import { recordPosition, type DeadLetter, type InboundRecord } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import {
  announceInsert,
  priorInsert,
  recordOutcomes,
  settle,
  storedEventOf,
  unsettled,
  type InsertOutcome,
  type SettledRecord,
  type StoredDisposition,
  type StoredEvent,
} from '@siliconalley/store';
import type { IngestMetrics } from './metrics';
import type { DeadLetterSink, IngestStore, PartitionLedgers, RecordPublisher } from './ports';

/**
 * What a chunk is ingested with: small interfaces (ports.ts) that the service wires to the event
 * store, the ingest ledgers (LedgerBook) and Kafka, and unit tests to in-memory implementations.
 */
export interface PipelineDeps {
  store: IngestStore;
  ledgers: PartitionLedgers;
  /** Where accepted events are forwarded (the KafkaClient), to `acceptedTopic`. */
  kafka: RecordPublisher;
  deadLetters: DeadLetterSink;
  acceptedTopic: string;
  metrics: IngestMetrics;
  logger: Pick<Logger, 'info'>;
  legacyUsccAllowList: ReadonlySet<string>;
  /** The base (un-namespaced) topic name of a record's topic, for the contract's topic rules. */
  baseTopic: (topic: string) => string;
  /** The clock of dispositions and dead letters (and the arrival of a record without a timestamp); default: the system's. */
  now?: () => Date;
}

/** Arrival is when the broker got the record: `future_dated` is judged against that day. */
export const arrivalOf = (record: InboundRecord, now: Date) => (Number.isFinite(record.timestamp) && record.timestamp > 0 ? new Date(record.timestamp) : now);

interface Valid {
  record: InboundRecord;
  event: AcceptedEvent;
  doc: StoredEvent;
  outcome: InsertOutcome | null;
}

/**
 * Ingests one chunk of one partition. Records the partition's ledger already settled (a re-delivery
 * after a crash, with any chunk boundaries) are skipped. The ledger is written up to three times,
 * each conditional on the version read: before an insert (how far an attempt may have stored),
 * after it (the outcomes, so a retry needs no read of the store), and when everything is durable
 * (the counts). A chunk that inserts nothing (all rejected, or all known from an earlier attempt)
 * writes only the last.
 */
export async function ingestChunk(records: InboundRecord[], deps: PipelineDeps): Promise<void> {
  if (records.length === 0) return;
  const end = deps.metrics.chunkSeconds.startTimer();
  const now = deps.now?.() ?? new Date();
  const { topic, partition } = records[0]!;
  if (records.some((r) => r.topic !== topic || r.partition !== partition)) throw new Error('a chunk holds the records of one partition');
  let ledger = await deps.ledgers.get(topic, partition);
  const fresh = unsettled(ledger, records);
  if (fresh.length === 0) {
    end();
    return;
  }
  const lastOffset = fresh[fresh.length - 1]!.offset;
  const before = ledger;
  const step = (name: 'validate' | 'ledger' | 'store' | 'forward' | 'settle') => deps.metrics.stepSeconds.startTimer({ step: name });
  const validated = step('validate');

  const valid: Valid[] = [];
  const settled = new Map<string, SettledRecord>();
  const dispositions: StoredDisposition[] = [];
  const letters: DeadLetter[] = [];
  for (const record of fresh) {
    deps.metrics.consumed.inc({ topic: record.topic });
    const receivedAt = arrivalOf(record, now);
    const parsed = parseKafkaRecord(
      { topic: deps.baseTopic(record.topic), key: record.key, headers: record.headers, value: record.value },
      { receivedAt, legacyUsccAllowList: deps.legacyUsccAllowList },
    );
    if (parsed.ok) {
      const { event } = parsed;
      valid.push({
        record,
        event,
        outcome: null,
        doc: storedEventOf(event, parsed.contentMode, { topic: record.topic, partition: record.partition, offset: record.offset }, receivedAt),
      });
    } else {
      const hints = kafkaRecordHints(record);
      letters.push({
        record,
        origin: { topic: record.topic, partition: record.partition, offset: record.offset },
        reason: parsed.reason,
        message: parsed.message,
      });
      dispositions.push({
        _id: recordPosition(record),
        topic: record.topic,
        disposition: 'rejected',
        reason: parsed.reason,
        source: hints.source,
        eventId: hints.id,
        type: hints.type,
        at: now,
      });
      settled.set(record.offset, { offset: record.offset, disposition: 'rejected', reason: parsed.reason, source: hints.source, eventTime: null, receivedAt });
    }
  }

  // Outcomes known without the store: a second copy in this chunk (a provider's re-send usually
  // follows its original closely; the later copy is the duplicate, as in arrival order, and a
  // duplicate key inside a bulk insert makes FerretDB redo the batch record by record), and records
  // whose outcome an earlier attempt recorded in the ledger.
  validated();
  const firstOfKey = new Set<string>();
  const toInsert: Valid[] = [];
  for (const v of valid) {
    if (firstOfKey.has(v.doc._id)) v.outcome = 'duplicate';
    else {
      firstOfKey.add(v.doc._id);
      const prior = priorInsert(before, v.record.offset);
      if (prior === 'stored') v.outcome = 'redelivered';
      else if (prior === 'duplicate') v.outcome = 'duplicate';
      else toInsert.push(v);
    }
  }
  if (toInsert.length > 0) {
    if (toInsert.some((v) => priorInsert(before, v.record.offset) === 'new')) {
      const announced = step('ledger');
      ledger = await deps.ledgers.write({ ...ledger, pending: announceInsert(ledger, lastOffset) });
      announced();
    }
    // Only a record an earlier attempt may have stored (it crashed before recording the outcome)
    // needs the stored copy's origin to tell a re-delivery from a duplicate.
    const mayBeOwn = new Set(toInsert.filter((v) => priorInsert(before, v.record.offset) === 'unknown').map((v) => v.doc._id));
    const stored = step('store');
    const outcomes = await deps.store.events.insertMany(
      toInsert.map((v) => v.doc),
      (doc) => mayBeOwn.has(doc._id),
    );
    stored();
    toInsert.forEach((v, i) => {
      v.outcome = outcomes[i]!;
    });
    // Recorded before anything is forwarded: a retry after a crash from here on reads no store.
    const refused = valid.filter((v) => v.outcome === 'duplicate').map((v) => v.record.offset);
    const recorded = step('ledger');
    ledger = await deps.ledgers.write({ ...ledger, pending: recordOutcomes(ledger, lastOffset, refused) });
    recorded();
  }

  const forward: AcceptedEvent[] = [];
  for (const { record, event, outcome, doc } of valid) {
    if (outcome === 'duplicate') {
      deps.metrics.duplicates.inc();
      dispositions.push({
        _id: recordPosition(record),
        topic: record.topic,
        disposition: 'duplicate',
        reason: null,
        source: event.source,
        eventId: event.id,
        type: event.type,
        at: now,
      });
      settled.set(record.offset, {
        offset: record.offset,
        disposition: 'duplicate',
        reason: null,
        source: event.source,
        eventTime: null,
        receivedAt: doc.receivedAt,
      });
    } else {
      // `redelivered` (a crash after the store write) is forwarded again: downstream dedupes by (source, id).
      if (outcome === 'inserted') deps.metrics.accepted.inc({ type: event.type });
      // No disposition row: an accepted record's verdict is its stored event, whose origin is this
      // position (packages/store acceptedVerdictOf).
      forward.push(event);
      settled.set(record.offset, {
        offset: record.offset,
        disposition: 'accepted',
        reason: null,
        source: event.source,
        eventTime: event.time,
        receivedAt: doc.receivedAt,
      });
    }
  }
  for (const l of letters) deps.metrics.rejected.inc({ reason: l.reason });

  // Independent writes, all durable before the ledger settles the chunk (a failure of any fails
  // the chunk, whose retry repeats them: downstream dedupes by (source, id), and a disposition
  // chunk is idempotent). All are awaited before a failure is thrown, so a retry never overlaps them.
  const forwarded = step('forward');
  const written = await Promise.allSettled([
    deps.deadLetters.send(letters, now),
    deps.kafka.send(
      deps.acceptedTopic,
      forward.map((event) => ({ key: event.subject, value: JSON.stringify(event), headers: { 'content-type': 'application/json' } })),
    ),
    deps.store.dispositions.record(dispositions),
  ]);
  forwarded();
  for (const w of written) if (w.status === 'rejected') throw w.reason;
  const settling = step('settle');
  await deps.ledgers.write(settle(ledger, [...settled.values()]));
  settling();
  end();
  if (letters.length) deps.logger.info({ rejected: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] }, 'records dead-lettered');
}
