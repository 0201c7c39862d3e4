// A record that crashes the pipeline on its own while Kafka and the database are up (a poison
// record) is dead-lettered with reason `processing_failed` and settled as rejected, instead of
// being re-delivered forever and blocking its partition (packages/kafka `poison`).
import { kafkaRecordHints } from '@siliconalley/contract';
import { recordPosition, type InboundRecord } from '@siliconalley/kafka';
import { isSettled, settle } from '@siliconalley/store';
import { arrivalOf, type PipelineDeps } from './pipeline';

/** Not a contract reason (events.md): the record may be valid; our processing failed on it. */
export const PROCESSING_FAILED = 'processing_failed';

export async function deadLetterPoison(record: InboundRecord, err: unknown, deps: PipelineDeps): Promise<void> {
  const ledger = await deps.ledgers.get(record.topic, record.partition);
  if (isSettled(ledger, record.offset)) return; // settled before (a re-delivery): nothing to redo
  const now = new Date();
  const message = `processing failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
  await deps.deadLetters.send(
    [{ record, origin: { topic: record.topic, partition: record.partition, offset: record.offset }, reason: PROCESSING_FAILED, message }],
    now,
  );
  const hints = kafkaRecordHints(record);
  await deps.store.dispositions.record([
    {
      _id: recordPosition(record),
      topic: record.topic,
      disposition: 'rejected',
      reason: PROCESSING_FAILED,
      source: hints.source,
      eventId: hints.id,
      type: hints.type,
      at: now,
    },
  ]);
  const receivedAt = arrivalOf(record, now);
  await deps.ledgers.write(
    settle(ledger, [{ offset: record.offset, disposition: 'rejected', reason: PROCESSING_FAILED, source: hints.source, eventTime: null, receivedAt }]),
  );
  deps.metrics.rejected.inc({ reason: PROCESSING_FAILED });
}
