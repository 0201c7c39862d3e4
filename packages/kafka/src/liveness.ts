// Consumer liveness, kept free of timers and the client so it can be tested with an injected clock.

/** A stall the watchdog reports: how long nothing moved, and whether a chunk handler was running. */
export interface Stall {
  idleMs: number;
  handling: boolean;
}

/** A chunk handler may take long (the background heartbeat keeps the membership), but not forever. */
export const handlerLimitMs = (stallMs: number): number => Math.max(300000, 5 * stallMs);

/**
 * Tracks consumer progress (fetches, batches, joins, chunk boundaries). Idle for `stallMs` with no
 * chunk handler running, or one handler running for `handlerLimitMs(stallMs)`, is a stall.
 */
export class Liveness {
  private last: number;
  private handling = 0;

  constructor(
    private readonly stallMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  progress(): void {
    this.last = this.now();
  }

  chunkStarted(): void {
    this.handling += 1;
    this.progress();
  }

  chunkEnded(): void {
    this.handling -= 1;
    this.progress();
  }

  /** The stall at `now`, or null while the consumer is live. */
  stalled(now: number = this.now()): Stall | null {
    const idleMs = now - this.last;
    const handling = this.handling > 0;
    return idleMs < (handling ? handlerLimitMs(this.stallMs) : this.stallMs) ? null : { idleMs, handling };
  }
}

/**
 * Heartbeats every `intervalMs` until the returned stop is called, one heartbeat at a time however
 * slow the broker answers; a failed heartbeat (a rebalance under way) goes to `onFailure`.
 * kafkajs heartbeats only between our calls, so a slow chunk would otherwise get the member evicted,
 * the chunk re-delivered, and the partition stuck (like the Java client's heartbeat thread).
 */
export function heartbeatInBackground(heartbeat: () => Promise<void>, onFailure: (err: unknown) => void, intervalMs = 1000): () => void {
  let beat: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (beat) return;
    beat = heartbeat()
      .catch(onFailure)
      .finally(() => {
        beat = null;
      });
  }, intervalMs);
  return () => clearInterval(timer);
}
