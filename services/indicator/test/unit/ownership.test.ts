// Partition ownership, applied offsets and catch-up readiness, fed as the consumer feeds them.
import { PartitionOwnership } from '../../src/ownership';

function ownership() {
  let now = 0;
  const caughtUp: number[] = [];
  const o = new PartitionOwnership(
    (ms) => caughtUp.push(ms),
    () => now,
  );
  return { o, caughtUp, advance: (ms: number) => (now += ms) };
}

describe('PartitionOwnership', () => {
  it('is not ready before the first assignment', () => {
    const { o } = ownership();
    expect(o.isReady()).toBe(false);
    expect(o.partitions()).toEqual([]);
    expect(o.appliedOffsets()).toEqual({});
  });

  it('replays gained partitions from 0 and is ready once each reached its end at assignment', () => {
    const { o, caughtUp, advance } = ownership();
    const a = o.assign([2, 0]);
    expect(a).toEqual({ generation: 1, added: [0, 2], revoked: [] });
    expect(o.appliedOffsets()).toEqual({ '0': '0', '2': '0' });
    expect(o.isReady()).toBe(false); // ends not read yet

    o.applied(0, 4n);
    o.partitionEnds(
      a.generation,
      new Map([
        [0, 10n],
        [2, 0n],
      ]),
    );
    expect(o.isReady()).toBe(false); // partition 0 at 4 of 10; partition 2 is empty
    o.applied(0, 9n);
    expect(o.isReady()).toBe(false);
    advance(1500);
    o.applied(0, 10n);
    expect(o.isReady()).toBe(true);
    expect(caughtUp).toEqual([1500]);
    expect(o.appliedOffsets()).toEqual({ '0': '10', '2': '0' });

    // Records published later move the offsets, not the readiness.
    o.applied(2, 3n);
    expect(o.appliedOffsets()).toEqual({ '0': '10', '2': '3' });
    expect(o.isReady()).toBe(true);
    expect(caughtUp).toEqual([1500]);
  });

  it('a partition already applied past its end when the end is read needs no catch-up', () => {
    const { o, caughtUp } = ownership();
    const a = o.assign([1]);
    o.applied(1, 50n);
    o.partitionEnds(a.generation, new Map([[1, 40n]]));
    expect(o.isReady()).toBe(true);
    expect(caughtUp).toHaveLength(1);
  });

  it('on reassignment forgets lost partitions and replays gained ones; ends read before a gain do not settle it', () => {
    const { o } = ownership();
    const first = o.assign([0, 2]);
    o.partitionEnds(
      first.generation,
      new Map([
        [0, 5n],
        [2, 5n],
      ]),
    );
    o.applied(0, 5n);
    o.applied(2, 5n);
    expect(o.isReady()).toBe(true);

    const second = o.assign([0, 1]);
    expect(second).toEqual({ generation: 2, added: [1], revoked: [2] });
    expect(o.partitions()).toEqual([0, 1]);
    expect(o.appliedOffsets()).toEqual({ '0': '5', '1': '0' });
    expect(o.isReady()).toBe(false);

    // Late ends of the first assignment: partition 1 was not gained yet, they cannot tell its end.
    o.partitionEnds(first.generation, new Map([[1, 0n]]));
    expect(o.isReady()).toBe(false);
    o.partitionEnds(second.generation, new Map([[1, 7n]]));
    expect(o.isReady()).toBe(false);
    o.applied(1, 7n);
    expect(o.isReady()).toBe(true);
  });

  it('ignores chunks of a partition it no longer owns', () => {
    const { o } = ownership();
    o.assign([0, 1]);
    o.assign([0]);
    o.applied(1, 9n);
    expect(o.appliedOffsets()).toEqual({ '0': '0' });
    expect(o.owns(1)).toBe(false);
  });

  it('losing a partition still replaying lifts its catch-up', () => {
    const { o } = ownership();
    const a = o.assign([0, 1]);
    o.partitionEnds(
      a.generation,
      new Map([
        [0, 3n],
        [1, 3n],
      ]),
    );
    o.applied(0, 3n);
    expect(o.isReady()).toBe(false);
    o.assign([0]);
    expect(o.isReady()).toBe(true);
  });

  it('an assignment that gains nothing keeps it ready; partitions sort as numbers', () => {
    const { o, caughtUp } = ownership();
    const a = o.assign([10, 2]);
    expect(o.partitions()).toEqual([2, 10]);
    o.partitionEnds(a.generation, new Map());
    expect(o.isReady()).toBe(true);
    o.assign([10]);
    expect(o.isReady()).toBe(true);
    expect(caughtUp).toHaveLength(2);
    expect(o.appliedOffsets()).toEqual({ '10': '0' });
  });

  it('stays not ready when no end is ever read for a gained partition', () => {
    const { o } = ownership();
    o.assign([0]);
    o.applied(0, 1000n);
    expect(o.isReady()).toBe(false);
  });
});
