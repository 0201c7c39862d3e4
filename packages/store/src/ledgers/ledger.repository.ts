import { isDuplicateKeyError, READ_TIME_LIMIT_MS } from '@siliconalley/db';
import type { LedgerModel, StoredLedger } from './ledger.schema';
import { emptyLedger, ledgerId, totalsOf, type LedgerState, type PipelineTotals } from './settlement';

/** Another writer advanced the ledger since it was read (two owners of a partition during a rebalance). */
export class LedgerConflict extends Error {
  constructor(id: string) {
    super(`ingest ledger ${id} was advanced by another writer; the chunk is retried from the ledger`);
    this.name = 'LedgerConflict';
  }
}

const toState = (doc: StoredLedger): LedgerState => ({
  topic: doc.topic,
  partition: doc.partition,
  settledTo: doc.settledTo,
  pending: doc.pending ? { insertedTo: doc.pending.insertedTo, outcomesTo: doc.pending.outcomesTo ?? null, refused: [...(doc.pending.refused ?? [])] } : null,
  version: doc.version,
  accepted: doc.accepted,
  duplicates: doc.duplicates,
  rejected: (doc.rejected ?? []).map(({ reason, n }) => ({ reason, n })),
  rejectedBySource: (doc.rejectedBySource ?? []).map(({ source, reason, n }) => ({ source, reason, n })),
  newestEventTime: doc.newestEventTime ?? null,
  newestReceivedAt: doc.newestReceivedAt ?? null,
});

export class LedgerRepository {
  constructor(readonly model: LedgerModel) {}

  /** The ledger of one partition (an empty one, version 0, before its first write). */
  async load(topic: string, partition: number): Promise<LedgerState> {
    const doc = await this.model.findById(ledgerId(topic, partition)).maxTimeMS(READ_TIME_LIMIT_MS).lean();
    return doc ? toState(doc as StoredLedger) : emptyLedger(topic, partition);
  }

  /** Every ledger: topics × partitions documents. */
  async all(): Promise<LedgerState[]> {
    return (await this.model.find({}).maxTimeMS(READ_TIME_LIMIT_MS).lean()).map((d) => toState(d as StoredLedger));
  }

  async totals(): Promise<PipelineTotals> {
    return totalsOf(await this.all());
  }

  /**
   * Writes `next` if the stored ledger is still the version `next` was derived from, and returns it
   * with its new version; LedgerConflict when another writer got there first.
   */
  async write(next: LedgerState, now = new Date()): Promise<LedgerState> {
    const id = ledgerId(next.topic, next.partition);
    const written: LedgerState = { ...next, version: next.version + 1 };
    const doc: StoredLedger = { _id: id, ...written, updatedAt: now };
    if (next.version === 0) {
      try {
        await this.model.create(doc);
      } catch (err) {
        if (isDuplicateKeyError(err)) throw new LedgerConflict(id);
        throw err;
      }
      return written;
    }
    const res = await this.model.replaceOne({ _id: id, version: next.version }, doc);
    if (res.matchedCount !== 1) throw new LedgerConflict(id);
    return written;
  }
}
