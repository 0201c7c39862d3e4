import { isDuplicateKeyError } from '@siliconalley/db';
import type { AcceptedEvent } from '@siliconalley/contract';
import { eventKey, type EventModel, type RecordOrigin, type StoredEvent } from './event.schema';

export type InsertOutcome = 'inserted' | 'redelivered' | 'duplicate';

const sameOrigin = (a: RecordOrigin, b: RecordOrigin) => a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;

export const toAcceptedEvent = (doc: StoredEvent): AcceptedEvent =>
  ({ source: doc.source, id: doc.id, type: doc.type, time: doc.time, subject: doc.subject, effectiveDate: doc.effectiveDate, data: doc.data }) as AcceptedEvent;

export class EventRepository {
  constructor(readonly model: EventModel) {}

  /**
   * Stores accepted events once. A (source, id) already stored is a duplicate, unless the stored copy
   * came from this very record (a re-delivery after a crash), which counts as accepted again.
   * Outcomes are in input order; the first of two copies in one call wins, as in arrival order.
   */
  async insertMany(docs: StoredEvent[]): Promise<InsertOutcome[]> {
    const outcomes: InsertOutcome[] = docs.map(() => 'inserted');
    if (docs.length === 0) return outcomes;
    const failed: number[] = [];
    try {
      await this.model.insertMany(docs, { ordered: false, rawResult: false, lean: true });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: { index: number; code?: number; err?: { code?: number } }[] }).writeErrors;
      if (!writeErrors) throw err;
      for (const we of writeErrors) {
        const code = we.code ?? we.err?.code;
        if (code !== 11000) throw err;
        failed.push(we.index);
      }
    }
    if (failed.length === 0) return outcomes;
    const existing = await this.model.find({ _id: { $in: failed.map((i) => docs[i]!._id) } }, { origin: 1 }).lean();
    const byKey = new Map(existing.map((e) => [e._id, e.origin]));
    for (const i of failed) {
      const d = docs[i]!;
      const origin = byKey.get(d._id);
      outcomes[i] = origin && sameOrigin(origin, d.origin) ? 'redelivered' : 'duplicate';
    }
    return outcomes;
  }

  async exists(source: string, id: string): Promise<boolean> {
    return (await this.model.exists({ _id: eventKey(String(source), String(id)) })) !== null;
  }

  async findBySubject(subject: string): Promise<AcceptedEvent[]> {
    return (await this.model.find({ subject }).lean()).map(toAcceptedEvent);
  }

  /** Streams every stored event (a full rebuild); the cursor keeps memory flat. */
  async *streamAll(batchSize = 2000): AsyncGenerator<AcceptedEvent> {
    for await (const doc of this.model.find({}, { origin: 0, receivedAt: 0, timeInstant: 0 }).lean().batchSize(batchSize).cursor()) {
      yield toAcceptedEvent(doc as StoredEvent);
    }
  }

  async newestTime(originTopic: string): Promise<string | null> {
    const doc = await this.model.findOne({ 'origin.topic': originTopic }, { time: 1 }).sort({ 'origin.topic': 1, timeInstant: -1 }).lean();
    return doc?.time ?? null;
  }

  count(): Promise<number> {
    return this.model.estimatedDocumentCount();
  }

  async countByType(): Promise<Record<string, number>> {
    const rows = await this.model.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$type', n: { $sum: 1 } } }]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }
}

export { isDuplicateKeyError };
