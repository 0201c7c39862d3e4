// AcceptedTopicApplier: assignments and chunks of the accepted topic into an in-memory state, change
// log and ownership, with the partition ends read through an in-memory PartitionEndsSource (no Kafka).
import type { AcceptedEvent } from '@siliconalley/contract';
import { createLogger } from '@siliconalley/logger';
import { acceptedFixtureEvents } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { AcceptedTopicApplier, type PartitionEndsSource } from '../../src/applier';
import { ChangeLog } from '../../src/changes';
import { PartitionOwnership } from '../../src/ownership';
import { IndicatorState } from '../../src/state';
import { FIRM_A, FIRM_B, FIRM_C, granted, recordsOf, registered, taskReport } from './builders';

/** Partition ends as the test sets them; each read is answered (or failed) when the test says. */
class ManualEnds implements PartitionEndsSource {
  reads = 0;
  private readonly waiting: { resolve: (ends: ReadonlyMap<number, bigint>) => void; reject: (err: Error) => void }[] = [];
  partitionEnds(): Promise<ReadonlyMap<number, bigint>> {
    this.reads += 1;
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
  answer(ends: Record<number, number>): void {
    this.waiting.shift()!.resolve(new Map(Object.entries(ends).map(([p, e]) => [Number(p), BigInt(e)])));
  }
  fail(message: string): void {
    this.waiting.shift()!.reject(new Error(message));
  }
}

/** Ends that are known at once. */
const endsOf = (ends: Record<number, number>): PartitionEndsSource => ({
  partitionEnds: async () => new Map(Object.entries(ends).map(([p, e]) => [Number(p), BigInt(e)])),
});

function applier(ends: PartitionEndsSource = new ManualEnds()) {
  const lines: { level: number; msg: string }[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const state = new IndicatorState(defaultZoneRegistry());
  const ownership = new PartitionOwnership();
  const changes = new ChangeLog();
  const a = new AcceptedTopicApplier({ state, changes, ownership, ends, logger });
  const changedIds = () =>
    changes
      .since(new Map())
      .groups.flatMap((g) => g.examples)
      .sort();
  return { a, state, ownership, changes, lines, changedIds };
}

const ASOF = '2026-06-30';
const activeFirms = (state: IndicatorState) => state.engine.value({ id: 'active_firms', scope: 'district' }, ASOF);

describe('AcceptedTopicApplier: assignments and readiness', () => {
  it('replays gained partitions from 0 and is ready once each reached where it ended when gained', async () => {
    const ends = new ManualEnds();
    const { a, state, ownership } = applier(ends);
    const first = a.assign([1, 0]);
    expect([first.added, first.revoked, ends.reads]).toEqual([[0, 1], [], 1]);
    expect(a.isReady()).toBe(false);

    const p0 = recordsOf(0, 0, [registered(FIRM_A, '2020-01-01'), granted(FIRM_A, '2021-01-01'), registered(FIRM_C, '2019-01-01')]);
    const p1 = recordsOf(1, 0, [registered(FIRM_B, '2018-01-01'), taskReport(1, '2025-Q1', '2025-04-01T08:00:00Z')]);
    a.apply(0, p0.slice(0, 2));
    ends.answer({ 0: 3, 1: 2 });
    await first.endsRead;
    expect(a.isReady()).toBe(false); // 0 at 2 of 3, 1 at 0 of 2
    a.apply(0, p0.slice(2));
    a.apply(1, p1.slice(0, 1));
    expect(a.isReady()).toBe(false);
    a.apply(1, p1.slice(1));
    expect(a.isReady()).toBe(true);
    expect(ownership.appliedOffsets()).toEqual({ '0': '3', '1': '2' });
    expect([state.holdsFirm(FIRM_A), state.holdsFirm(FIRM_B), state.holdsFirm(FIRM_C), state.taskReports().length]).toEqual([true, true, true, 1]);
    expect(activeFirms(state)).toBe(3);
  });

  it('stays not ready while the ends are not read, and when the read fails, until an assignment reads them again', async () => {
    const ends = new ManualEnds();
    const { a, lines } = applier(ends);
    const first = a.assign([0]);
    a.apply(0, recordsOf(0, 0, [registered(FIRM_A, '2020-01-01')]));
    expect(a.isReady()).toBe(false); // applied, but the end is unknown
    ends.fail('broker unreachable');
    await first.endsRead; // settles: the failure is logged, not thrown
    expect(a.isReady()).toBe(false);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual(['cannot read partition ends; reporting not ready until the next assignment']);

    const second = a.assign([0, 1]);
    expect([second.added, ends.reads]).toEqual([[1], 2]);
    ends.answer({ 0: 1, 1: 0 });
    await second.endsRead;
    expect(a.isReady()).toBe(true);
  });

  it('ends read for an earlier assignment, answered late, do not settle a partition gained since', async () => {
    const ends = new ManualEnds();
    const { a } = applier(ends);
    const first = a.assign([0]);
    const second = a.assign([0, 1]);
    ends.answer({ 0: 0, 1: 0 }); // read after the first assignment: says nothing of partition 1
    await first.endsRead;
    expect(a.isReady()).toBe(false);
    ends.answer({ 0: 0, 1: 2 });
    await second.endsRead;
    expect(a.isReady()).toBe(false);
    a.apply(1, recordsOf(1, 0, [registered(FIRM_A, '2020-01-01'), registered(FIRM_B, '2020-01-01')]));
    expect(a.isReady()).toBe(true);
  });

  it('an assignment that gains nothing reads no ends and keeps the instance ready', async () => {
    const ends = new ManualEnds();
    const { a } = applier(ends);
    const first = a.assign([0, 1]);
    ends.answer({ 0: 0, 1: 0 });
    await first.endsRead;
    expect(a.isReady()).toBe(true);
    const second = a.assign([0]);
    await second.endsRead;
    expect([second.added, second.revoked, ends.reads, a.isReady()]).toEqual([[], [1], 1, true]);
  });
});

describe('AcceptedTopicApplier: revocation and re-gain', () => {
  it('revoking a partition drops its firms, tasks and change blocks, and nothing else', async () => {
    const { a, state, changedIds } = applier(endsOf({ 0: 2, 1: 2 }));
    await a.assign([0, 1]).endsRead;
    a.apply(0, recordsOf(0, 0, [registered(FIRM_A, '2020-01-01', { id: 'a' }), taskReport(2, '2025-Q1', '2025-04-01T00:00:00Z', { id: 't' })]));
    a.apply(1, recordsOf(1, 0, [registered(FIRM_B, '2020-01-01', { id: 'b' }), granted(FIRM_B, '2024-01-01', { id: 'g' })]));
    expect([activeFirms(state), changedIds()]).toEqual([2, ['a', 'b', 'g', 't']]);

    const { added, revoked } = a.assign([1]);
    expect([added, revoked]).toEqual([[], [0]]);
    expect([state.holdsFirm(FIRM_A), state.holdsFirm(FIRM_B), state.taskReports(), activeFirms(state)]).toEqual([false, true, [], 1]);
    expect(changedIds()).toEqual(['b', 'g']);
    expect(a.isReady()).toBe(true);
  });

  it('a regained partition is replayed from its start and counted once; its change blocks are rebuilt', async () => {
    const { a, state, ownership, changedIds } = applier(endsOf({ 0: 2, 1: 1 }));
    const p0 = recordsOf(0, 0, [registered(FIRM_A, '2020-01-01', { id: 'a' }), granted(FIRM_A, '2021-01-01', { id: 'g' })]);
    await a.assign([0, 1]).endsRead;
    a.apply(0, p0);
    a.apply(1, recordsOf(1, 0, [registered(FIRM_B, '2020-01-01', { id: 'b' })]));
    const before = state.engine.kpis(ASOF);

    await a.assign([1]).endsRead;
    const again = a.assign([0, 1]);
    expect(again.added).toEqual([0]); // the consumer seeks it to offset 0
    await again.endsRead;
    expect([a.isReady(), ownership.appliedOffsets()]).toEqual([false, { '0': '0', '1': '1' }]);
    a.apply(0, p0);
    expect(a.isReady()).toBe(true);
    expect(state.engine.kpis(ASOF)).toEqual(before);
    expect(changedIds()).toEqual(['a', 'b', 'g']);
  });

  it("ignores a chunk of a partition it no longer owns (fetched before the rebalance): its firms are another instance's", async () => {
    const { a, state, ownership, changedIds, lines } = applier(endsOf({ 0: 0, 1: 0 }));
    await a.assign([0, 1]).endsRead;
    await a.assign([0]).endsRead;
    a.apply(1, recordsOf(1, 0, [registered(FIRM_B, '2020-01-01', { id: 'b' })]));
    expect([state.holdsFirm(FIRM_B), activeFirms(state), changedIds(), ownership.appliedOffsets()]).toEqual([false, 0, [], { '0': '0' }]);
    expect(lines.some((l) => l.msg === 'chunk of a partition no longer owned ignored')).toBe(true);
  });
});

describe('AcceptedTopicApplier on the small fixture, three partitions keyed by subject', () => {
  const events = acceptedFixtureEvents('small');
  const partitionOf = (e: AcceptedEvent) => [...e.subject].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 3;
  const byPartition = [0, 1, 2].map((p) => events.filter((e) => partitionOf(e) === p));
  const dates = ['2023-12-31', '2025-06-30', '2026-10-31'];

  it('holds what a state of the same events holds; after losing a partition, what a state of the other two holds', async () => {
    const { a, state } = applier(endsOf(Object.fromEntries(byPartition.map((evs, p) => [p, evs.length]))));
    await a.assign([0, 1, 2]).endsRead;
    for (const [p, evs] of byPartition.entries()) {
      const records = recordsOf(p, 0, evs);
      for (let i = 0; i < records.length; i += 250) a.apply(p, records.slice(i, i + 250));
    }
    expect(a.isReady()).toBe(true);
    const whole = new IndicatorState(defaultZoneRegistry());
    whole.apply(events);
    for (const d of dates) expect(state.engine.kpis(d)).toEqual(whole.engine.kpis(d));

    await a.assign([0, 2]).endsRead;
    const rest = new IndicatorState(defaultZoneRegistry());
    rest.apply([...byPartition[0]!, ...byPartition[2]!]);
    expect(byPartition[1]!.length).toBeGreaterThan(100);
    for (const d of dates) expect(state.engine.kpis(d)).toEqual(rest.engine.kpis(d));
    expect(state.engine.kpis('2026-10-31')).not.toEqual(whole.engine.kpis('2026-10-31'));
  });
});
