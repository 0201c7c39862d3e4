// What changed since a reader last looked: the events applied for the first time, by the offsets of
// the records that carried them. Alerting asks it which published assessments to re-check (an event
// changes the KPIs from its effectiveDate on) and what caused a restatement, instead of scanning the
// event store.
//
// Memory stays bounded with the history: per partition, a list of blocks, each covering a contiguous
// offset range and holding only the earliest effectiveDate and per (type, source, effective month)
// a count and a few example ids. A block is closed after about RECORDS_PER_BLOCK records, so 10M
// records make ~2,000 blocks, each as large as the (type, source, month) combinations it saw.
import { ChangeGroupSum, type Changes } from '@siliconalley/api';

/** Records per block before a new one starts (a chunk is never split, so blocks may run a little over). */
export const RECORDS_PER_BLOCK = 5000;

interface ChangedEvent {
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

export class ChangeLog {
  private readonly blocks = new Map<number, Block[]>();

  constructor(private readonly recordsPerBlock = RECORDS_PER_BLOCK) {}

  /**
   * Notes the records [from, to) of `partition` as applied, `fresh` being the events among them
   * applied for the first time. Invariant the query relies on: every event sits in a block whose
   * `to` is past its record's offset (a re-delivered chunk's events may land in a later block than
   * their offset: that only makes them reported for a lower `since` too).
   */
  record(partition: number, from: bigint, to: bigint, fresh: readonly ChangedEvent[]): void {
    let list = this.blocks.get(partition);
    if (!list) this.blocks.set(partition, (list = []));
    let block = list[list.length - 1];
    if (!block || block.to - block.from >= BigInt(this.recordsPerBlock)) {
      // The next block starts where the last one ends: together they cover the partition without gaps.
      const start = block ? block.to : from;
      block = { from: start, to: start, changes: new ChangeGroupSum() };
      list.push(block);
    }
    if (to > block.to) block.to = to;
    for (const e of fresh) block.changes.addEvent(e);
  }

  /**
   * The events applied for the first time from records at offsets ≥ since[partition] (a partition
   * absent from `since`: from its start). A block is included whole when its range ends past
   * `since`, so events of records just before `since` may be included: that can only cause an extra
   * re-check of an assessment, never a missed one.
   */
  since(since: ReadonlyMap<number, bigint>): Changes {
    const sum = new ChangeGroupSum();
    for (const [partition, list] of this.blocks) {
      const first = since.get(partition) ?? 0n;
      // Blocks are in offset order: the tail from the first that ends past `first` counts.
      let i = list.length;
      while (i > 0 && list[i - 1]!.to > first) i--;
      for (; i < list.length; i++) sum.merge(list[i]!.changes);
    }
    return sum.result();
  }

  /** Forgets partitions (revoked; or gained again, hence replayed from their start and rebuilt). */
  drop(partitions: Iterable<number>): void {
    for (const p of partitions) this.blocks.delete(p);
  }

  /** Blocks held (for tests and a gauge). */
  get blockCount(): number {
    let n = 0;
    for (const list of this.blocks.values()) n += list.length;
    return n;
  }
}
