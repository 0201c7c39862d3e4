// When the alerting service may judge: a mark taken when an evaluation starts (the sources' ends),
// followed through ingestion's ledgers and the indicator's applied offsets.
import { CatchUpMark, catchUpToNow, type PipelineProgress } from '../../src/catch-up';

const SRC = 'siliconalley.enterprise.v1';

/** A reading: `published` source records, `settled` of them, `accepted` forwarded, `applied` of those. */
function reading(at: number, published: number, settled: number, accepted: number, applied: number, indicatorReady = true): PipelineProgress {
  return {
    sourceEnds: { [SRC]: { '0': String(published) } },
    settled: { [SRC]: { '0': String(settled) } },
    acceptedEnds: { '0': String(accepted) },
    applied: { '0': String(applied) },
    indicatorReady,
    newestReceivedAt: settled > 0 ? new Date(at) : null,
    at: new Date(at),
  };
}

const follow = (first: PipelineProgress, ...next: PipelineProgress[]) => {
  const mark = new CatchUpMark(first);
  return [first, ...next].map((p) => mark.observe(p));
};

describe('CatchUpMark', () => {
  it('an idle pipeline is caught up in one reading, to the time of that reading', () => {
    expect(follow(reading(1000, 50, 50, 40, 40))).toEqual([{ ready: true, point: new Date(1000), waiting: null }]);
  });

  it('nothing stored yet: nothing to judge', () => {
    const [s] = follow(reading(1000, 0, 0, 0, 0));
    expect(s).toMatchObject({ ready: false });
    expect(s!.waiting).toMatch(/no event/);
  });

  it('waits for ingestion to settle what was published before the mark, then for the indicator to apply what ingestion forwarded', () => {
    const [first, second, third] = follow(reading(1000, 100, 10, 8, 8), reading(2000, 100, 100, 80, 30), reading(3000, 100, 100, 80, 80));
    expect(first).toMatchObject({ ready: false, point: new Date(1000) });
    expect(first!.waiting).toMatch(/ingestion has 90 records to settle/);
    expect(second).toMatchObject({ ready: false });
    expect(second!.waiting).toMatch(/indicator has 50 accepted events to apply/);
    expect(third).toEqual({ ready: true, point: new Date(1000), waiting: null });
  });

  it('a backlog published just after an idle moment is not judged until it is in (the mark is the start of each evaluation)', () => {
    // The previous evaluation found the pipeline idle and empty; 4,000 records arrive; ingestion has
    // stored a few hundred when this evaluation starts: its mark covers all 4,000.
    const states = follow(reading(2000, 4000, 300, 250, 250), reading(3000, 4000, 2000, 1800, 1700), reading(4000, 4000, 4000, 3600, 3600));
    expect(states.map((s) => s.ready)).toEqual([false, false, true]);
  });

  it('a mark reached while newer records are in flight is not enough: the indicator would answer from half of them', () => {
    // The mark was taken on an empty pipeline; then 4,000 records arrived and ingestion stored 300.
    const mark = new CatchUpMark(reading(1000, 0, 0, 0, 0));
    const s = mark.observe(reading(2000, 4000, 300, 250, 250));
    expect(s).toMatchObject({ ready: false });
    expect(s.waiting).toMatch(/3700 records published since/);
    expect(mark.overtaken).toBe(true);
  });

  it('a tolerance admits that many records in flight', () => {
    const mark = new CatchUpMark(reading(1000, 100, 100, 80, 80), 10);
    expect(mark.observe(reading(2000, 105, 100, 80, 80)).ready).toBe(true);
    expect(mark.observe(reading(3000, 120, 100, 80, 80)).ready).toBe(false);
  });

  it('an indicator that is not ready (replaying) is never judged, even when its offsets look caught up', () => {
    expect(follow(reading(1000, 10, 10, 10, 10, false), reading(2000, 10, 10, 10, 10, true)).map((s) => s.ready)).toEqual([false, true]);
  });

  it('a mark over several topics and partitions needs every one of them', () => {
    const p = reading(1000, 10, 10, 10, 10);
    const cert = 'siliconalley.certification.v1';
    const twoTopics: PipelineProgress = {
      ...p,
      sourceEnds: { ...p.sourceEnds, [cert]: { '0': '5', '1': '7' } },
      settled: { ...p.settled, [cert]: { '0': '5', '1': '6' } },
    };
    const states = follow(twoTopics, { ...twoTopics, settled: { ...twoTopics.settled, [cert]: { '0': '5', '1': '7' } } });
    expect(states.map((s) => s.ready)).toEqual([false, true]);
  });
});

describe('catchUpToNow', () => {
  it('reads until the mark is reached', async () => {
    const readings = [reading(Date.now(), 100, 10, 8, 8), reading(Date.now(), 100, 100, 80, 80)];
    let i = 0;
    const s = await catchUpToNow(async () => readings[Math.min(i++, readings.length - 1)]!, { maxWaitMs: 5000, pollMs: 1 });
    expect(s.ready).toBe(true);
    expect(i).toBe(2);
  });

  it('replaces an overtaken mark with one taken at the reading that overtook it', async () => {
    const readings = [
      reading(Date.now(), 0, 0, 0, 0),
      reading(Date.now(), 4000, 300, 250, 250),
      reading(Date.now(), 4000, 4000, 3600, 3000),
      reading(Date.now(), 4000, 4000, 3600, 3600),
    ];
    let i = 0;
    const s = await catchUpToNow(async () => readings[Math.min(i++, readings.length - 1)]!, { maxWaitMs: 5000, pollMs: 1 });
    expect(s.ready).toBe(true);
    expect(i).toBe(4);
  });

  it('gives up after maxWaitMs, or at once when stopping', async () => {
    let reads = 0;
    const behind = async () => {
      reads++;
      return reading(Date.now(), 100, 10, 8, 8);
    };
    expect(await catchUpToNow(behind, { maxWaitMs: 30, pollMs: 5 })).toMatchObject({ ready: false });
    expect(reads).toBeGreaterThan(1);
    reads = 0;
    expect(await catchUpToNow(behind, { maxWaitMs: 60000, pollMs: 5, stopping: () => true })).toMatchObject({ ready: false });
    expect(reads).toBe(1);
  });
});
