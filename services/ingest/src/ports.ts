// What ingestChunk (pipeline.ts) and the poison hand-over (poison.ts) need of the outside world,
// each as the few methods they call: the real adapters (packages/store repositories, LedgerBook,
// KafkaClient, DeadLetterProducer) satisfy them as they are, and unit tests run the pipeline on
// in-memory implementations (test/unit/ingest-chunk.test.ts).
import type { DeadLetter, OutboundRecord } from '@siliconalley/kafka';
import type { InsertOutcome, LedgerState, StoredDisposition, StoredEvent } from '@siliconalley/store';

/** The event store: each accepted event stored once by (source, id) (packages/store EventRepository). */
export interface EventSink {
  /**
   * Outcomes in input order: `inserted`; `redelivered` when the stored copy came from this very
   * record (same topic, partition and offset); else `duplicate`. `mayBeOwn` says which refused
   * documents an earlier attempt may have stored (only those need the stored copy's origin).
   */
  insertMany(docs: StoredEvent[], mayBeOwn: (doc: StoredEvent) => boolean): Promise<InsertOutcome[]>;
}

/** Every record's verdict by position, idempotent (packages/store DispositionRepository). */
export interface DispositionSink {
  record(rows: StoredDisposition[]): Promise<void>;
}

/** The store as the pipeline uses it. */
export interface IngestStore {
  events: EventSink;
  dispositions: DispositionSink;
}

/**
 * The ingest ledgers (ledgers.ts LedgerBook): one per source partition. A write is conditional on
 * the version `next` was derived from and returns the ledger with its new version; it throws
 * (LedgerConflict) when another writer advanced it, and a failed write is read again next time.
 */
export interface PartitionLedgers {
  get(topic: string, partition: number): Promise<LedgerState>;
  write(next: LedgerState): Promise<LedgerState>;
}

/** Rejected records, kept whole with why and where from (packages/kafka DeadLetterProducer). */
export interface DeadLetterSink {
  send(letters: DeadLetter[], now: Date): Promise<void>;
}

/** Produces records to a topic with acks=all (KafkaClient): the accepted topic here. */
export interface RecordPublisher {
  send(topic: string, records: OutboundRecord[]): Promise<void>;
}
