// Poison records: a record that fails alone while its dependencies are up is handed over (e.g.
// dead-lettered) instead of blocking its partition forever.
import type { Logger } from '@siliconalley/logger';
import { recordPosition, type BatchContext, type ChunkHandler, type InboundRecord } from './records';

export interface PoisonOptions {
  handle: (record: InboundRecord, err: unknown) => Promise<void>;
  healthy: () => Promise<boolean>;
  /** Attempts of the whole chunk, then of each record alone, before a record counts as poison (default 3). */
  attempts?: number;
  /** Pause between attempts, ms (default 500; doubled each time). */
  backoffMs?: number;
}

/**
 * Handles a chunk with `handleChunk`, isolating poison records (see `ConsumerOptions.poison`): the
 * chunk is tried `attempts` times, and once more if its dependencies are up (else the error goes to
 * the caller and the chunk is re-delivered whole); if it still fails it is split in halves, recursively, so the
 * healthy records go on in large chunks and a poison record is found in about 2·log2(n) calls.
 * `known` remembers poison positions, so a re-delivered chunk skips straight to them.
 * The consumer uses it; exported for unit tests.
 */
export async function handleChunkIsolatingPoison(
  records: InboundRecord[],
  ctx: BatchContext,
  handleChunk: ChunkHandler,
  poison: PoisonOptions,
  logger?: Logger,
  known: Set<string> = new Set(),
): Promise<void> {
  const attempts = poison.attempts ?? 3;
  const backoff = poison.backoffMs ?? 500;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const tryHandle = async (chunk: InboundRecord[], tries: number): Promise<unknown> => {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < tries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1));
      // Splitting may take long (the consumer heartbeats meanwhile): when the group rebalances,
      // rejoin now (the chunk is re-delivered) rather than finish and be evicted for missing the rejoin.
      if (!ctx.shouldContinue()) throw new Error('the group is rebalancing: the chunk is left for re-delivery');
      try {
        await handleChunk(chunk, ctx);
        return null;
      } catch (err) {
        lastError = err;
      }
    }
    return lastError ?? new Error('chunk failed');
  };
  const handOver = async (record: InboundRecord, err: unknown) => {
    known.add(recordPosition(record));
    if (known.size > 10000) known.delete(known.values().next().value!);
    logger?.error(
      { err, topic: record.topic, partition: record.partition, offset: record.offset },
      'poison record: handing it over instead of retrying it forever',
    );
    await poison.handle(record, err);
  };
  const healthy = () => poison.healthy().catch(() => false);
  const isolate = async (chunk: InboundRecord[], err: unknown): Promise<void> => {
    // A part failing while a dependency is down says nothing about its records: stop splitting and
    // let the whole chunk be re-delivered (splitting on would repeat every piece's work in vain).
    if (!(await healthy())) throw err;
    if (chunk.length === 1) {
      const record = chunk[0]!;
      // Failing alone: the record's fault only if it still fails once everything it depends on is
      // up (an outage that just ended is not the record's fault).
      const again = await tryHandle(chunk, 1);
      if (again === null) return;
      await handOver(record, again);
      return;
    }
    const middle = Math.ceil(chunk.length / 2);
    for (const half of [chunk.slice(0, middle), chunk.slice(middle)]) {
      const halfError = await tryHandle(half, 1);
      if (halfError !== null) await isolate(half, halfError);
    }
  };

  // Known poison in a re-delivered chunk: hand it over again (idempotent) and handle the rest around it.
  let start = 0;
  for (let i = 0; i < records.length; i++) {
    if (!known.has(recordPosition(records[i]!))) continue;
    if (i > start) await handleChunkIsolatingPoison(records.slice(start, i), ctx, handleChunk, poison, logger, known);
    await handOver(records[i]!, new Error('known poison record (re-delivered)'));
    start = i + 1;
  }
  if (start > 0) {
    if (start < records.length) await handleChunkIsolatingPoison(records.slice(start), ctx, handleChunk, poison, logger, known);
    return;
  }
  let chunkError = await tryHandle(records, attempts);
  if (chunkError === null) return;
  // Only a chunk that fails while its dependencies are up is split, after one more whole try: the
  // failures may have been an outage that has just ended (a database restart).
  if (!(await healthy())) throw chunkError;
  chunkError = await tryHandle(records, 1);
  if (chunkError === null) return;
  logger?.warn(
    { err: chunkError, topic: ctx.topic, partition: ctx.partition, records: records.length },
    'chunk keeps failing; splitting it to find the record that fails',
  );
  await isolate(records, chunkError);
}
