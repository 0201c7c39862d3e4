// The accepted topic as this instance consumes it: assignments (forget the revoked partitions,
// replay the gained ones from their start, ready once each reached where it ended when gained) and
// chunks (into the state, the change log and the applied offsets). The state, the change log and
// the ownership are in memory; the one thing read from outside, where the partitions end, comes
// through PartitionEndsSource, so that all of it runs in unit tests without Kafka.
import type { InboundRecord } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import { applyChunk } from './apply';
import type { ChangeLog } from './changes';
import type { PartitionOwnership } from './ownership';
import type { IndicatorState } from './state';

/** Where each partition of the accepted topic ends now (the offset after its last record: the high watermark). */
export interface PartitionEndsSource {
  partitionEnds(): Promise<ReadonlyMap<number, bigint>>;
}

export interface AcceptedTopicApplierDeps {
  state: IndicatorState;
  changes: ChangeLog;
  ownership: PartitionOwnership;
  ends: PartitionEndsSource;
  logger: Logger;
}

export interface AssignmentResult {
  /** Gained partitions: the consumer seeks each to offset 0 (they are replayed from their start). */
  added: number[];
  /** Lost partitions: their firms, tasks and change blocks are forgotten. */
  revoked: number[];
  /**
   * Settles once the ends of the gained partitions are read and handed to the ownership (at once
   * when nothing was gained). Never rejects: a failed read is logged and the instance stays not
   * ready until the next assignment.
   */
  endsRead: Promise<void>;
}

export class AcceptedTopicApplier {
  constructor(private readonly deps: AcceptedTopicApplierDeps) {}

  /** A new assignment of the accepted topic's partitions: the whole set this instance owns now. */
  assign(partitions: Iterable<number>): AssignmentResult {
    const { state, changes, ownership, logger } = this.deps;
    const { generation, added, revoked } = ownership.assign(partitions);
    state.dropPartitions(revoked);
    // A gained partition is replayed from its start: its change blocks are rebuilt from there.
    changes.drop([...revoked, ...added]);
    // Where each gained partition ends now: replaying up to there means caught up.
    const endsRead =
      added.length === 0
        ? Promise.resolve()
        : this.deps.ends
            .partitionEnds()
            .then((ends) => ownership.partitionEnds(generation, ends))
            .catch((err: unknown) => logger.error({ err }, 'cannot read partition ends; reporting not ready until the next assignment'));
    logger.info({ owned: ownership.partitions(), added, revoked }, 'partitions assigned; replaying the added ones from their start');
    return { added, revoked, endsRead };
  }

  /**
   * A chunk of records of `partition`, in offset order. A chunk of a partition this instance does
   * not own (fetched before a rebalance took it away) is ignored: its firms belong to another
   * instance now, and holding them here would count them twice across instances.
   */
  apply(partition: number, records: readonly InboundRecord[]): void {
    if (!this.deps.ownership.owns(partition)) {
      if (records.length > 0) this.deps.logger.warn({ partition, records: records.length }, 'chunk of a partition no longer owned ignored');
      return;
    }
    applyChunk(this.deps, partition, records);
  }

  /** Every owned partition replayed to where it ended when gained. */
  isReady(): boolean {
    return this.deps.ownership.isReady();
  }
}
