// A chunk waits on the database; on a slow one (FerretDB under load took 20–30 s for 500 records)
// that can outlast the consumer session, and kafkajs only heartbeats when asked to. Without a
// heartbeat the group drops the member mid-chunk, the chunk is re-delivered, and a slow database
// turns into a rebalance loop that makes no progress. So heartbeat while a chunk is in flight.
import type { BatchContext } from '@siliconalley/kafka';

/** Runs `work`, heartbeating every `intervalMs` until it settles; heartbeat failures (a rebalance under way) are left to the consumer. */
export async function withHeartbeats<T>(ctx: Pick<BatchContext, 'heartbeat'>, work: () => Promise<T>, intervalMs = 3000): Promise<T> {
  const timer = setInterval(() => void ctx.heartbeat().catch(() => undefined), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
