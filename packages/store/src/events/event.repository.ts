import { LRUCache } from 'lru-cache';
import { duplicateKeyRefusals, isDuplicateKeyError, READ_TIME_LIMIT_MS } from '@siliconalley/db';
import type { AcceptedEvent } from '@siliconalley/contract';
import type { EventModel, RecordOrigin, StoredEvent } from './event.schema';

export type InsertOutcome = 'inserted' | 'redelivered' | 'duplicate';

const sameOrigin = (a: RecordOrigin, b: RecordOrigin) => a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;

export const toAcceptedEvent = (doc: StoredEvent): AcceptedEvent =>
  ({ source: doc.source, id: doc.id, type: doc.type, time: doc.time, subject: doc.subject, effectiveDate: doc.effectiveDate, data: doc.data }) as AcceptedEvent;

/**
 * How many (source, id) → origin facts an instance remembers. An event is stored once and never
 * changes, so a remembered origin is never stale; 100k entries are ~20 MiB.
 */
export const KNOWN_ORIGINS = 100_000;

/** Up to this many unknown origins are looked up one key at a time; more, by `$in` (see originsOf). */
export const ONE_BY_ONE_LOOKUPS = 20;

/** Keys for `$in` lookups in batches of ≤ 5,000 keys (each batch is one scan on FerretDB, so fewer is faster) and ≤ 2M characters (≤ 6 MiB of UTF-8): inside a command's 16 MiB. */
function* lookupBatches(keys: string[]): Generator<string[]> {
  let batch: string[] = [];
  let size = 0;
  for (const key of keys) {
    if (batch.length > 0 && (batch.length === 5000 || size + key.length > 2_000_000)) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(key);
    size += key.length;
  }
  if (batch.length > 0) yield batch;
}

export class EventRepository {
  /**
   * Origins of events this instance stored or looked up, to tell a duplicate from a re-delivery
   * without a lookup: on FerretDB's SQLite backend every lookup, `_id` equality included, scans the
   * collection (see originsOf), so a lookup per duplicate made ingestion slow down as
   * the store grew. Only the origin is taken from memory, never whether an event is stored: every
   * event still goes to the database, which alone says what it holds.
   */
  private readonly knownOrigins: LRUCache<string, RecordOrigin>;

  constructor(
    readonly model: EventModel,
    knownOrigins = KNOWN_ORIGINS,
  ) {
    this.knownOrigins = new LRUCache({ max: Math.max(1, knownOrigins) });
  }

  /**
   * Stores accepted events once. A (source, id) already stored is a duplicate, unless the stored copy
   * came from this very record (a re-delivery after a crash), which counts as accepted again.
   * Outcomes are in input order; the first of two copies in one call wins, as in arrival order.
   *
   * `mayBeOwn` says which refused documents an earlier attempt of the same record may have stored
   * (ingestion knows from its ledger, see packages/store `ledgers/`); only those need their stored
   * origin, the others are duplicates without a read. By default every refused document may be own.
   */
  async insertMany(docs: StoredEvent[], mayBeOwn: (doc: StoredEvent) => boolean = () => true): Promise<InsertOutcome[]> {
    const outcomes: InsertOutcome[] = docs.map(() => 'inserted');
    if (docs.length === 0) return outcomes;
    const verdict = (d: StoredEvent, origin: RecordOrigin): InsertOutcome => (sameOrigin(origin, d.origin) ? 'redelivered' : 'duplicate');
    const failed = new Set<number>();
    try {
      await this.model.insertMany(docs, { ordered: false, rawResult: false, lean: true });
    } catch (err) {
      // Anything but duplicate refusals (a cut connection, a killed database) leaves unknown which
      // documents were written: the whole chunk fails and its retry decides from the database.
      const refused = duplicateKeyRefusals(err);
      if (!refused) throw err;
      for (const i of refused) failed.add(i);
    }
    docs.forEach((d, i) => {
      if (!failed.has(i)) this.knownOrigins.set(d._id, d.origin);
    });
    if (failed.size === 0) return outcomes;
    const ambiguous = [...failed].filter((i) => mayBeOwn(docs[i]!));
    const origins = ambiguous.length ? await this.originsOf(ambiguous.map((i) => docs[i]!._id)) : new Map<string, RecordOrigin>();
    for (const i of failed) {
      const d = docs[i]!;
      const origin = origins.get(d._id);
      // Not found: the copy that refused ours vanished (a dropped namespace); not ours, so a duplicate.
      outcomes[i] = origin ? verdict(d, origin) : 'duplicate';
    }
    return outcomes;
  }

  /**
   * The stored origin of each key: remembered ones first, then from the database. A few keys are
   * looked up one `_id` equality at a time, several in flight; many (the re-delivered chunk of a
   * crashed instance, whose memory is gone) in one `_id: {$in}` query per batch. MongoDB answers
   * both from the `_id` index. FerretDB's SQLite backend scans for both: an equality scan stops at
   * the key, but re-delivered events are the newest, so each costs a full scan (measured 13.5 µs a
   * stored event), while `$in` decodes every document once for all keys (150 µs a stored event);
   * past ~20 keys one `$in` is cheaper.
   */
  private async originsOf(keys: string[]): Promise<Map<string, RecordOrigin>> {
    const out = new Map<string, RecordOrigin>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const origin = this.knownOrigins.get(key);
      if (origin) out.set(key, origin);
      else missing.push(key);
    }
    const remember = (doc: Pick<StoredEvent, '_id' | 'origin'> | null) => {
      if (!doc) return;
      out.set(doc._id, doc.origin);
      this.knownOrigins.set(doc._id, doc.origin);
    };
    if (missing.length > ONE_BY_ONE_LOOKUPS) {
      for (const batch of lookupBatches(missing)) {
        for (const doc of await this.model
          .find({ _id: { $in: batch } }, { origin: 1 })
          .maxTimeMS(READ_TIME_LIMIT_MS)
          .lean())
          remember(doc);
      }
      return out;
    }
    const inFlight = 8;
    for (let at = 0; at < missing.length; at += inFlight) {
      for (const doc of await Promise.all(
        missing.slice(at, at + inFlight).map((key) => this.model.findById(key, { origin: 1 }).maxTimeMS(READ_TIME_LIMIT_MS).lean()),
      ))
        remember(doc);
    }
    return out;
  }

  /**
   * Streams every stored event: the explicit offline rebuild, the one read that scans the store
   * (a cursor keeps memory flat). Nothing a user or a periodic loop waits on calls it.
   */
  async *streamAll(batchSize = 2000): AsyncGenerator<AcceptedEvent> {
    for await (const doc of this.model.find({}, { origin: 0, receivedAt: 0 }).lean().batchSize(batchSize).cursor()) {
      yield toAcceptedEvent(doc as StoredEvent);
    }
  }
}

export { isDuplicateKeyError };
