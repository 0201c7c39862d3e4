// How far readers are behind: pure arithmetic over offsets, and a periodic lag check.

/** Per partition (as a string): the first offset still held and the offset after the last record. */
export interface PartitionRange {
  start: string;
  end: string;
}

/**
 * Records a reader has still to process: per partition, its end less the next offset the reader will
 * process (a partition it has not started counts whole).
 */
export function offsetsBehind(ends: Readonly<Record<string, string>>, done: Readonly<Record<string, string>>): number {
  let behind = 0n;
  for (const [partition, end] of Object.entries(ends)) {
    const gap = BigInt(end) - BigInt(done[partition] ?? '0');
    if (gap > 0n) behind += gap;
  }
  return Number(behind);
}

/**
 * A group's lag on one topic: per partition, its end less the group's committed offset; a partition
 * the group has not committed on (no offset, or -1) counts from its first held record.
 */
export function groupLag(ranges: Readonly<Record<string, PartitionRange>>, committed: Readonly<Record<string, string>>): number {
  let lag = 0n;
  for (const [partition, { start, end }] of Object.entries(ranges)) {
    const c = committed[partition];
    const from = c !== undefined && BigInt(c) >= 0n ? BigInt(c) : BigInt(start);
    if (BigInt(end) > from) lag += BigInt(end) - from;
  }
  return Number(lag);
}

/**
 * Runs `check` every `intervalMs`, one at a time, reporting each topic's lag; failures go to
 * `onError` and are retried at the next tick. The returned stop resolves once the check in flight
 * (if any) has finished, so a shutdown that awaits it leaves no admin request running behind it.
 */
export function monitorLag(
  check: () => Promise<Record<string, number>>,
  report: (topic: string, lag: number) => void,
  intervalMs = 5000,
  onError?: (err: unknown) => void,
): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    inFlight ??= check()
      .then((lag) => {
        for (const [topic, n] of Object.entries(lag)) report(topic, n);
      })
      .catch((err) => onError?.(err))
      .finally(() => (inFlight = null));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
