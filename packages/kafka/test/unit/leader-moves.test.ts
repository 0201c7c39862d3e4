// Offset reads right after a topic is created meet partitions without a known leader: retried.
import { retryingLeaderMoves } from '../../src/admin';

const notLeader = () =>
  Object.assign(new Error('This server is not the leader for that topic-partition'), { retriable: true, type: 'NOT_LEADER_FOR_PARTITION' });
const noSleep = async () => undefined;

describe('retryingLeaderMoves', () => {
  it('retries a retriable error until the read succeeds', async () => {
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls < 3) throw notLeader();
      return 'ends';
    };
    await expect(retryingLeaderMoves(read, 7, noSleep)).resolves.toBe('ends');
    expect(calls).toBe(3);
  });

  it('gives up after the attempts, and at once on an error that is not retriable', async () => {
    let calls = 0;
    await expect(
      retryingLeaderMoves(
        async () => {
          calls += 1;
          throw notLeader();
        },
        4,
        noSleep,
      ),
    ).rejects.toThrow(/not the leader/);
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      retryingLeaderMoves(
        async () => {
          calls += 1;
          throw new Error('unknown topic');
        },
        4,
        noSleep,
      ),
    ).rejects.toThrow(/unknown topic/);
    expect(calls).toBe(1);
  });
});
