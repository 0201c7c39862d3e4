import { duplicateKeyRefusals } from '@siliconalley/db';
import type { EventModel, StoredEvent } from '../events/event.schema';
import type { DispositionChunkModel, StoredDisposition } from './disposition.schema';

type VerdictSource = Pick<StoredEvent, 'origin' | 'source' | 'id' | 'type' | 'receivedAt'>;

/**
 * An accepted record's verdict, read from the event store: the stored event's origin is the
 * position of the record it was accepted from, so ingestion does not write the verdict a second
 * time (issue #13, "write only what is read": a row per accepted record cost ~20% of its inserts).
 * `at` is when that record arrived.
 */
export function acceptedVerdictOf(doc: VerdictSource): StoredDisposition {
  const { topic, partition, offset } = doc.origin;
  return {
    _id: `${topic}/${partition}/${offset}`,
    topic,
    disposition: 'accepted',
    reason: null,
    source: doc.source,
    eventId: doc.id,
    type: doc.type,
    at: doc.receivedAt,
  };
}

/**
 * Every record's verdict is a recorded row (duplicates and rejections, one per position; a recorded
 * verdict wins) or else the verdict of the stored event accepted from it (`acceptedVerdictOf`).
 * Pure, so the repository and in-memory stores in unit tests merge the same way.
 */
export function verdictMerge(recorded: Iterable<StoredDisposition>): {
  rows: StoredDisposition[];
  acceptedFrom: (doc: VerdictSource) => StoredDisposition | null;
} {
  const byPosition = new Map<string, StoredDisposition>();
  for (const row of recorded) if (!byPosition.has(row._id)) byPosition.set(row._id, row);
  return {
    rows: [...byPosition.values()],
    acceptedFrom: (doc) => {
      const row = acceptedVerdictOf(doc);
      return byPosition.has(row._id) ? null : row;
    },
  };
}

export class DispositionRepository {
  constructor(
    readonly model: DispositionChunkModel,
    private readonly events: EventModel,
  ) {}

  /**
   * The rows of one chunk as one document; ingestion records its duplicates and rejections (an
   * accepted record's verdict is its stored event: `acceptedVerdictOf`). Nothing to record writes
   * nothing. Idempotent: a re-delivered chunk with the same boundaries finds its document already
   * there (the duplicate-key error is expected); with other boundaries its rows are stored again
   * and `rows()` keeps one per position.
   */
  async record(rows: StoredDisposition[]): Promise<void> {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return;
    const at = rows.reduce((latest, r) => (r.at > latest ? r.at : latest), first.at);
    const doc = { _id: `${first._id}..${last._id}#${rows.length}`, rows: rows.map(({ at: _at, ...row }) => row), at };
    try {
      await this.model.insertMany([doc], { ordered: false, lean: true });
    } catch (err) {
      // Only a duplicate refusal is expected; a cut connection must fail the chunk, not pass as done.
      if (!duplicateKeyRefusals(err)) throw err;
    }
  }

  /**
   * Every record's verdict, one per position (an offline audit: it streams both collections whole).
   * A recorded row's `at` is when the chunk that holds it was settled; an accepted row's, when its
   * record arrived.
   */
  async *rows(): AsyncIterable<StoredDisposition> {
    const recorded: StoredDisposition[] = [];
    for await (const chunk of this.model.find({}).lean().batchSize(200).cursor()) {
      for (const row of chunk.rows) recorded.push({ ...row, at: chunk.at });
    }
    const merge = verdictMerge(recorded);
    yield* merge.rows;
    for await (const doc of this.events.find({}, { origin: 1, source: 1, id: 1, type: 1, receivedAt: 1 }).lean().batchSize(1000).cursor()) {
      const row = merge.acceptedFrom(doc as VerdictSource);
      if (row) yield row;
    }
  }

  /** `rows()` collected (offline audits and tests: the whole collection). */
  async list(): Promise<StoredDisposition[]> {
    const out: StoredDisposition[] = [];
    for await (const row of this.rows()) out.push(row);
    return out;
  }
}
