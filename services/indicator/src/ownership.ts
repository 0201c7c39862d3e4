// Which partitions of the accepted topic this instance owns, how far it has applied each, and
// whether it has caught up: every partition it gained is replayed from its start, and the instance
// is ready once each is applied up to where the partition ended when it was gained.
// Plain bookkeeping, fed by the consumer (assignments, partition ends, applied chunks).

export interface Assignment {
  /** Identifies the assignment, for the partition ends read after it. */
  generation: number;
  /** Gained: replay them from offset 0. */
  added: number[];
  /** Lost: forget what came from them. */
  revoked: number[];
}

export class PartitionOwnership {
  /** Owned partition → next offset to apply (0 when gained: it is replayed from its start). */
  private readonly appliedUpTo = new Map<number, bigint>();
  /** Gained partitions whose end is not read yet → the generation that gained them. */
  private readonly endUnknown = new Map<number, number>();
  /** Partitions still replaying → the offset they ended at when gained. */
  private readonly catchUpTo = new Map<number, bigint>();
  private generation = 0;
  private assignedAt = 0;
  private wasReady = false;

  /**
   * @param onCaughtUp called each time the instance becomes ready, with the milliseconds since the
   *   assignment that started the replay (the replay-duration gauge).
   */
  constructor(
    private readonly onCaughtUp: (ms: number) => void = () => {},
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** A new assignment of the accepted topic's partitions (the whole set this instance owns now). */
  assign(partitions: Iterable<number>): Assignment {
    const assigned = new Set(partitions);
    const revoked = [...this.appliedUpTo.keys()].filter((p) => !assigned.has(p)).sort(byNumber);
    const added = [...assigned].filter((p) => !this.appliedUpTo.has(p)).sort(byNumber);
    this.generation += 1;
    for (const p of revoked) {
      this.appliedUpTo.delete(p);
      this.endUnknown.delete(p);
      this.catchUpTo.delete(p);
    }
    for (const p of added) {
      this.appliedUpTo.set(p, 0n);
      this.endUnknown.set(p, this.generation);
    }
    this.assignedAt = this.clock();
    this.wasReady = false;
    this.noteReady();
    return { generation: this.generation, added, revoked };
  }

  /**
   * The partition ends (high watermarks) read after assignment `generation`. They settle the
   * catch-up target of the partitions gained by then; a partition gained by a later assignment waits
   * for ends read after that one (earlier ends could mark it caught up too soon).
   */
  partitionEnds(generation: number, ends: ReadonlyMap<number, bigint>): void {
    for (const [p, gainedIn] of this.endUnknown) {
      if (gainedIn > generation) continue;
      this.endUnknown.delete(p);
      const high = ends.get(p) ?? 0n;
      if ((this.appliedUpTo.get(p) ?? 0n) < high) this.catchUpTo.set(p, high);
    }
    this.noteReady();
  }

  /** A chunk of `partition` is applied; `next` is the offset after its last record. */
  applied(partition: number, next: bigint): void {
    if (!this.appliedUpTo.has(partition)) return; // revoked meanwhile: nothing of it is held
    this.appliedUpTo.set(partition, next);
    const target = this.catchUpTo.get(partition);
    if (target !== undefined && next >= target) {
      this.catchUpTo.delete(partition);
      this.noteReady();
    }
  }

  /** Assigned at least once, every gained partition's end known and replayed up to it. */
  isReady(): boolean {
    return this.generation > 0 && this.endUnknown.size === 0 && this.catchUpTo.size === 0;
  }

  owns(partition: number): boolean {
    return this.appliedUpTo.has(partition);
  }

  /** Owned partitions, ascending. */
  partitions(): number[] {
    return [...this.appliedUpTo.keys()].sort(byNumber);
  }

  /** Owned partition (decimal) → next offset to apply (decimal). */
  appliedOffsets(): Record<string, string> {
    return Object.fromEntries(this.partitions().map((p) => [String(p), this.appliedUpTo.get(p)!.toString()]));
  }

  private noteReady(): void {
    if (this.wasReady || !this.isReady()) return;
    this.wasReady = true;
    this.onCaughtUp(this.clock() - this.assignedAt);
  }
}

const byNumber = (a: number, b: number) => a - b;
