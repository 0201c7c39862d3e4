// The change log: events applied for the first time, by the offsets that carried them — exact in the
// recent tail, folded into blocks further back.
import { ChangeLog, TAIL_RECORDS, type ChangedEvent } from '../../src/changes';

const ev = (id: string, effectiveDate: string, type = 'certification.granted', source = 'urn:a'): ChangedEvent => ({ id, effectiveDate, type, source });
/** Events at consecutive offsets from `from`. */
const at = (from: number, ...events: ChangedEvent[]) => events.map((event, i) => ({ offset: BigInt(from + i), event }));
const all = new Map<number, bigint>();

describe('ChangeLog', () => {
  it('groups events by type, source and effective month, sorted, with the 5 smallest ids as examples', () => {
    const log = new ChangeLog();
    log.record(
      0,
      0n,
      8n,
      at(
        0,
        ev('g1', '2025-03-02'),
        ev('g2', '2025-03-31'),
        ev('r1', '2024-12-01', 'enterprise.registered', 'urn:b'),
        ev('g3', '2025-04-01'),
        ev('h1', '2025-03-05', 'certification.granted', 'urn:0'),
      ),
    );
    log.record(0, 8n, 12n, at(8, ...['g7', 'g6', 'g5', 'g4'].map((id) => ev(id, '2025-03-10'))));
    expect(log.since(all)).toEqual({
      minEffectiveDate: '2024-12-01',
      groups: [
        { type: 'certification.granted', source: 'urn:0', month: '2025-03', events: 1, examples: ['h1'] },
        { type: 'certification.granted', source: 'urn:a', month: '2025-03', events: 6, examples: ['g1', 'g2', 'g4', 'g5', 'g6'] },
        { type: 'certification.granted', source: 'urn:a', month: '2025-04', events: 1, examples: ['g3'] },
        { type: 'enterprise.registered', source: 'urn:b', month: '2024-12', events: 1, examples: ['r1'] },
      ],
    });
  });

  it('keeps its own copy of what it reads, not the applied event (which it would hold in memory)', () => {
    const log = new ChangeLog();
    const applied = { ...ev('g1', '2025-03-02'), data: { name: 'a whole event' } };
    log.record(0, 0n, 1n, at(0, applied));
    const before = log.since(all);
    Object.assign(applied, { id: 'changed', effectiveDate: '1999-01-01', type: 'changed', source: 'changed' });
    expect(log.since(all)).toEqual(before);
    expect(before.groups).toEqual([{ type: 'certification.granted', source: 'urn:a', month: '2025-03', events: 1, examples: ['g1'] }]);
  });

  it('keeps provider strings as data, not object keys', () => {
    const log = new ChangeLog();
    log.record(0, 0n, 2n, at(0, ev('x', '2025-01-01', '__proto__', 'constructor'), ev('y', '2025-01-01', 'toString', '__proto__')));
    const { groups } = log.since(all);
    expect(groups.map((g) => [g.type, g.source, g.events])).toEqual([
      ['__proto__', 'constructor', 1],
      ['toString', '__proto__', 1],
    ]);
    expect(({} as Record<string, unknown>).events).toBeUndefined();
  });

  it('answers exactly by offset within the tail: the events of records at or after `since`', () => {
    const log = new ChangeLog();
    log.record(0, 0n, 4n, at(1, ev('a', '2025-01-05')));
    log.record(0, 4n, 8n, at(6, ev('b', '2025-02-05')));
    log.record(0, 8n, 12n, at(8, ev('c', '2025-03-05'), ev('d', '2025-04-05')));
    const ids = (since: number) => log.since(new Map([[0, BigInt(since)]])).groups.flatMap((g) => g.examples);
    expect(ids(0)).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(2)).toEqual(['b', 'c', 'd']);
    expect(ids(6)).toEqual(['b', 'c', 'd']);
    expect(ids(7)).toEqual(['c', 'd']);
    expect(ids(9)).toEqual(['d']);
    expect(ids(12)).toEqual([]);
    expect(log.since(new Map([[0, 12n]]))).toEqual({ minEffectiveDate: null, groups: [] });
    expect(log.since(new Map([[0, 9n]])).minEffectiveDate).toBe('2025-04-05');
    expect(log.blockCount).toBe(0);
  });

  it('folds records older than the tail into blocks; a block is included whole when it ends past `since`', () => {
    const log = new ChangeLog(4);
    for (let o = 0; o < 12; o++) log.record(0, BigInt(o), BigInt(o + 1), at(o, ev(`e${String(o).padStart(2, '0')}`, '2025-01-01')));
    // 9 records noted (> 2 × 4) folded [0, 5); then 14 > 5 + 8 … : one block so far, the tail exact.
    expect(log.blockCount).toBe(1);
    const ids = (since: number) => log.since(new Map([[0, BigInt(since)]])).groups[0]?.events ?? 0;
    expect(ids(0)).toBe(12);
    expect(ids(3)).toBe(12); // inside the block [0, 5): the block counts whole — an extra re-check, never a missed one
    expect(ids(5)).toBe(7);
    expect(ids(10)).toBe(2);
  });

  it('reads each partition from its own offset; a partition not named is read from its start', () => {
    const log = new ChangeLog();
    log.record(0, 0n, 2n, at(0, ev('p0-early', '2025-01-01')));
    log.record(0, 2n, 4n, at(2, ev('p0-late', '2025-01-02')));
    log.record(1, 0n, 2n, at(0, ev('p1-early', '2025-01-03')));
    log.record(1, 2n, 4n, at(2, ev('p1-late', '2025-01-04')));
    const ids = (since: Map<number, bigint>) =>
      log
        .since(since)
        .groups.flatMap((g) => g.examples)
        .sort();
    expect(ids(new Map([[0, 2n]]))).toEqual(['p0-late', 'p1-early', 'p1-late']);
    expect(
      ids(
        new Map([
          [0, 4n],
          [1, 2n],
        ]),
      ),
    ).toEqual(['p1-late']);
  });

  it('drops a partition with everything it noted', () => {
    const log = new ChangeLog(1);
    log.record(0, 0n, 4n, at(0, ev('a', '2025-01-01')));
    log.record(1, 0n, 4n, at(0, ev('b', '2025-01-01')));
    log.drop([0]);
    expect(log.since(all).groups.flatMap((g) => g.examples)).toEqual(['b']);
    expect(log.blockCount).toBe(1);
  });

  it('stays bounded: the tail holds at most twice TAIL_RECORDS records of events, the rest is a few blocks', () => {
    const log = new ChangeLog();
    let id = 0;
    const chunk = 10_000;
    const records = 6 * TAIL_RECORDS;
    for (let from = 0; from < records; from += chunk) {
      log.record(
        0,
        BigInt(from),
        BigInt(from + chunk),
        Array.from({ length: chunk }, (_, i) => ({ offset: BigInt(from + i), event: ev(`e${id++}`, '2025-05-01') })),
      );
    }
    expect(log.blockCount).toBeLessThanOrEqual(records / TAIL_RECORDS);
    const { groups } = log.since(all);
    expect(groups).toEqual([
      { type: 'certification.granted', source: 'urn:a', month: '2025-05', events: records, examples: ['e0', 'e1', 'e10', 'e100', 'e1000'] },
    ]);
    expect(log.since(new Map([[0, BigInt(records - 1234)]])).groups[0]!.events).toBe(1234);
  });

  it('never misses an event at or after `since`, exact in the tail (random chunks, duplicates not applied)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647; // Park–Miller: products stay exact in a double
      return seed % n;
    };
    const tail = 100;
    const log = new ChangeLog(tail);
    const events: { offset: number; e: ChangedEvent }[] = [];
    let offset = 0;
    while (offset < 2000) {
      const size = 1 + random(30);
      const fresh: { offset: bigint; event: ChangedEvent }[] = [];
      for (let o = offset; o < offset + size; o++) {
        if (random(3) === 0) continue; // a duplicate: not applied again
        const e = ev(
          `o${o}`,
          `2025-${String(1 + random(12)).padStart(2, '0')}-01`,
          random(2) ? 'enterprise.registered' : 'certification.granted',
          `urn:${random(3)}`,
        );
        fresh.push({ offset: BigInt(o), event: e });
        events.push({ offset: o, e });
      }
      log.record(3, BigInt(offset), BigInt(offset + size), fresh);
      offset += size;
    }
    for (let since = 0; since <= offset + 1; since += 7) {
      const got = log.since(new Map([[3, BigInt(since)]]));
      const reported = got.groups.reduce((n, g) => n + g.events, 0);
      const atOrAfter = events.filter((x) => x.offset >= since);
      // Within the last `tail` records the answer is exact; further back a block may add its head.
      if (since >= offset - tail) expect(reported).toBe(atOrAfter.length);
      else expect(reported).toBeGreaterThanOrEqual(atOrAfter.length);
      expect(reported).toBeLessThanOrEqual(events.filter((x) => x.offset >= since - 2 * tail).length);
      const exact = new Map<string, number>();
      for (const { e } of atOrAfter) {
        const key = `${e.type} ${e.source} ${e.effectiveDate.slice(0, 7)}`;
        exact.set(key, (exact.get(key) ?? 0) + 1);
      }
      const short = [...exact].filter(([key, n]) => (got.groups.find((g) => `${g.type} ${g.source} ${g.month}` === key)?.events ?? 0) < n);
      expect(short).toEqual([]);
      if (atOrAfter.length > 0) expect(got.minEffectiveDate! <= atOrAfter.map((x) => x.e.effectiveDate).sort()[0]!).toBe(true);
    }
  });
});
