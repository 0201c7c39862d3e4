// What changed since a reader last looked: the events applied for the first time, by the offsets of
// the records that carried them. Alerting asks it which published assessments to re-check (an event
// changes the KPIs from its effectiveDate on) and what caused a restatement, instead of scanning the
// event store.
//
// Exact where it matters, bounded where it does not: per partition, the events of the most recent
// TAIL_RECORDS records are kept one by one (a restatement usually follows its cut-off closely, so
// its causes are listed exactly); older ones are folded into blocks that hold only the earliest
// effectiveDate and, per (type, source, effective month), a count and a few example ids. A query
// from an offset inside a block includes the block whole: an extra re-check, never a missed one.
import { ChangeGroupSum, type Changes } from '@siliconalley/api';

/** Records per partition whose events are kept one by one. */
export const TAIL_RECORDS = 50_000;

/** Distinct type and source strings kept once each; beyond, each entry keeps its own (a provider minting sources). */
const MAX_INTERNED = 1_000;

export interface ChangedEvent {
  type: string;
  source: string;
  id: string;
  effectiveDate: string;
}

interface Block {
  /** First offset covered. */
  from: bigint;
  /** Offset after the last record covered. */
  to: bigint;
  changes: ChangeGroupSum;
}

interface PartitionLog {
  /** Folded blocks, in offset order, covering [first block's from, tailFrom). */
  blocks: Block[];
  /** First offset the tail covers. */
  tailFrom: bigint;
  /** Offset after the last record noted. */
  to: bigint;
  /** Events of the records in [tailFrom, to), in offset order. */
  tail: { offset: bigint; event: ChangedEvent }[];
}

export class ChangeLog {
  private readonly partitions = new Map<number, PartitionLog>();

  /** Type and source strings seen (a few dozen: the contract's types × the providers; at most MAX_INTERNED). */
  private readonly strings = new Map<string, string>();

  constructor(private readonly tailRecords = TAIL_RECORDS) {}

  private interned(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    if (this.strings.size < MAX_INTERNED) this.strings.set(text, text);
    return text;
  }

  /**
   * Notes the records [from, to) of `partition` as applied, `fresh` being the events among them
   * applied for the first time, each with the offset of its record (records arrive in offset order).
   */
  record(partition: number, from: bigint, to: bigint, fresh: readonly { offset: bigint; event: ChangedEvent }[]): void {
    let log = this.partitions.get(partition);
    if (!log) this.partitions.set(partition, (log = { blocks: [], tailFrom: from, to: from, tail: [] }));
    // Only what a query reads, not the applied event itself (~670 bytes of heap parsed): the tail
    // holds up to 2 × tailRecords records per partition. Types and sources repeat: one copy each.
    for (const { offset, event } of fresh) {
      log.tail.push({
        offset,
        event: { type: this.interned(event.type), source: this.interned(event.source), id: event.id, effectiveDate: event.effectiveDate },
      });
    }
    if (to > log.to) log.to = to;
    // Fold the older half once the tail covers twice what it keeps: amortised O(1) a record.
    if (log.to - log.tailFrom > 2n * BigInt(this.tailRecords)) {
      const cut = log.to - BigInt(this.tailRecords);
      const block: Block = { from: log.tailFrom, to: cut, changes: new ChangeGroupSum() };
      let i = 0;
      for (; i < log.tail.length && log.tail[i]!.offset < cut; i++) block.changes.addEvent(log.tail[i]!.event);
      log.tail.splice(0, i);
      log.blocks.push(block);
      log.tailFrom = cut;
    }
  }

  /**
   * The events applied for the first time from records at offsets ≥ since[partition] (a partition
   * absent from `since`: from its start): exact within the tail; a folded block that ends past
   * `since` is included whole.
   */
  since(since: ReadonlyMap<number, bigint>): Changes {
    const sum = new ChangeGroupSum();
    for (const [partition, log] of this.partitions) {
      const first = since.get(partition) ?? 0n;
      for (const block of log.blocks) if (block.to > first) sum.merge(block.changes);
      // The first tail entry at or past `first`, by binary search: the answer costs what it returns.
      let lo = 0;
      let hi = log.tail.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (log.tail[mid]!.offset < first) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < log.tail.length; i++) sum.addEvent(log.tail[i]!.event);
    }
    return sum.result();
  }

  /** Forgets partitions (revoked; or gained again, hence replayed from their start and rebuilt). */
  drop(partitions: Iterable<number>): void {
    for (const p of partitions) this.partitions.delete(p);
  }

  /** Folded blocks held (for tests). */
  get blockCount(): number {
    let n = 0;
    for (const log of this.partitions.values()) n += log.blocks.length;
    return n;
  }
}
