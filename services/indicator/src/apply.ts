// One chunk of accepted records of a partition: into the state, the change log and the applied offsets.
import type { AcceptedEvent } from '@siliconalley/contract';
import type { InboundRecord } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import type { ChangeLog } from './changes';
import type { PartitionOwnership } from './ownership';
import type { IndicatorState } from './state';

export interface ApplyDeps {
  state: IndicatorState;
  changes: ChangeLog;
  ownership: PartitionOwnership;
  logger: Logger;
}

export function applyChunk(deps: ApplyDeps, partition: number, records: readonly InboundRecord[]): void {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) return;
  const events: AcceptedEvent[] = [];
  const offsetOf = new Map<AcceptedEvent, bigint>();
  for (const r of records) {
    try {
      const event = JSON.parse(r.value?.toString('utf8') ?? 'null') as AcceptedEvent | null;
      if (!event) throw new Error('empty record');
      events.push(event);
      offsetOf.set(event, BigInt(r.offset));
    } catch (err) {
      // Written by our own ingestion: a bad record here is a bug, never a provider error.
      deps.logger.error({ err, topic: r.topic, partition: r.partition, offset: r.offset }, 'unreadable accepted event skipped');
    }
  }
  const fresh = deps.state.apply(events, partition);
  const next = BigInt(last.offset) + 1n;
  deps.changes.record(
    partition,
    BigInt(first.offset),
    next,
    fresh.map((event) => ({ offset: offsetOf.get(event)!, event })),
  );
  deps.ownership.applied(partition, next);
}
