import { withHeartbeats } from '../../src/keepalive';

describe('heartbeats while a chunk is in flight', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('heartbeats until the work settles, then stops; a failing heartbeat does not fail the chunk', async () => {
    let beats = 0;
    const heartbeat = async () => {
      beats++;
      throw new Error('rebalance in progress');
    };
    let finish!: (v: string) => void;
    const running = withHeartbeats({ heartbeat }, () => new Promise<string>((r) => (finish = r)), 3000);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(beats).toBe(3);
    finish('stored');
    await expect(running).resolves.toBe('stored');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(beats).toBe(3);
  });
});
