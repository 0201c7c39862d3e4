// The consumer's stall watchdog and its background heartbeat, on an injected clock and fake timers.
import { handlerLimitMs, heartbeatInBackground, Liveness } from '../../src/liveness';

describe('Liveness', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('is live while progress keeps coming, and stalled once idle for the stall timeout', () => {
    const c = clock();
    const live = new Liveness(60_000, c.now);
    c.advance(59_999);
    expect(live.stalled()).toBeNull();
    live.progress();
    c.advance(59_999);
    expect(live.stalled()).toBeNull();
    c.advance(1);
    expect(live.stalled()).toEqual({ idleMs: 60_000, handling: false });
  });

  it('gives a running chunk handler the longer limit, and not forever', () => {
    const c = clock();
    const live = new Liveness(60_000, c.now);
    live.chunkStarted();
    c.advance(handlerLimitMs(60_000) - 1);
    expect(live.stalled()).toBeNull();
    c.advance(1);
    expect(live.stalled()).toEqual({ idleMs: handlerLimitMs(60_000), handling: true });
    live.chunkEnded();
    expect(live.stalled()).toBeNull();
    c.advance(60_000);
    expect(live.stalled()).toEqual({ idleMs: 60_000, handling: false });
  });

  it('counts chunks in flight: one ending leaves the others handling', () => {
    const c = clock();
    const live = new Liveness(1000, c.now);
    live.chunkStarted();
    live.chunkStarted();
    live.chunkEnded();
    c.advance(handlerLimitMs(1000));
    expect(live.stalled()?.handling).toBe(true);
  });

  it('handler limit is at least five minutes, else five stall timeouts', () => {
    expect(handlerLimitMs(10_000)).toBe(300_000);
    expect(handlerLimitMs(100_000)).toBe(500_000);
  });
});

describe('heartbeatInBackground', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('beats until stopped; a failed beat is reported and does not stop the beating', async () => {
    let beats = 0;
    const failures: unknown[] = [];
    const stop = heartbeatInBackground(
      async () => {
        beats++;
        throw new Error('rebalance in progress');
      },
      (err) => failures.push(err),
      1000,
    );
    await jest.advanceTimersByTimeAsync(3000);
    expect(beats).toBe(3);
    expect(failures).toHaveLength(3);
    stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(beats).toBe(3);
  });

  it('sends one heartbeat at a time, however slow the broker answers', async () => {
    let started = 0;
    let answer!: () => void;
    const stop = heartbeatInBackground(
      () => {
        started++;
        return new Promise<void>((r) => (answer = r));
      },
      () => undefined,
      1000,
    );
    await jest.advanceTimersByTimeAsync(5000);
    expect(started).toBe(1);
    answer();
    await jest.advanceTimersByTimeAsync(1000);
    expect(started).toBe(2);
    stop();
  });
});
