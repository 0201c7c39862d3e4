// The change log: events applied for the first time, by the offsets that carried them, in blocks.
import { ChangeLog, RECORDS_PER_BLOCK } from '../../src/changes';

interface Ev {
  type: string;
  source: string;
  id: string;
  effectiveDate: string;
}

const ev = (id: string, effectiveDate: string, type = 'certification.granted', source = 'urn:a'): Ev => ({ id, effectiveDate, type, source });
const all = new Map<number, bigint>();

describe('ChangeLog', () => {
  it('groups events by type, source and effective month, sorted, with the 5 smallest ids as examples', () => {
    const log = new ChangeLog();
    log.record(0, 0n, 8n, [
      ev('g1', '2025-03-02'),
      ev('g2', '2025-03-31'),
      ev('r1', '2024-12-01', 'enterprise.registered', 'urn:b'),
      ev('g3', '2025-04-01'),
      ev('h1', '2025-03-05', 'certification.granted', 'urn:0'),
    ]);
    log.record(0, 8n, 12n, ['g7', 'g6', 'g5', 'g4'].map((id) => ev(id, '2025-03-10')));
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

  it('keeps provider strings as data, not object keys', () => {
    const log = new ChangeLog();
    log.record(0, 0n, 2n, [ev('x', '2025-01-01', '__proto__', 'constructor'), ev('y', '2025-01-01', 'toString', '__proto__')]);
    const { groups } = log.since(all);
    expect(groups.map((g) => [g.type, g.source, g.events])).toEqual([
      ['__proto__', 'constructor', 1],
      ['toString', '__proto__', 1],
    ]);
    expect(({} as Record<string, unknown>).events).toBeUndefined();
  });

  it('answers by offset: blocks ending at or before `since` are left out, the block holding `since` is included whole', () => {
    const log = new ChangeLog(10);
    log.record(0, 0n, 4n, [ev('a', '2025-01-05')]);
    log.record(0, 4n, 8n, [ev('b', '2025-02-05')]);
    log.record(0, 8n, 12n, [ev('c', '2025-03-05')]); // block [0, 12) is now full
    log.record(0, 12n, 16n, [ev('d', '2025-04-05')]); // block [12, 16)
    expect(log.blockCount).toBe(2);
    const ids = (since: number) => log.since(new Map([[0, BigInt(since)]])).groups.flatMap((g) => g.examples);
    expect(ids(0)).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(11)).toEqual(['a', 'b', 'c', 'd']); // over-inclusion: an extra re-check, never a missed one
    expect(ids(12)).toEqual(['d']);
    expect(ids(15)).toEqual(['d']);
    expect(ids(16)).toEqual([]);
    expect(log.since(new Map([[0, 16n]]))).toEqual({ minEffectiveDate: null, groups: [] });
    expect(log.since(new Map([[0, 12n]])).minEffectiveDate).toBe('2025-04-05');
  });

  it('reads each partition from its own offset; a partition not named is read from its start', () => {
    const log = new ChangeLog(2);
    log.record(0, 0n, 2n, [ev('p0-early', '2025-01-01')]);
    log.record(0, 2n, 4n, [ev('p0-late', '2025-01-02')]);
    log.record(1, 0n, 2n, [ev('p1-early', '2025-01-03')]);
    log.record(1, 2n, 4n, [ev('p1-late', '2025-01-04')]);
    const ids = (since: Map<number, bigint>) => log.since(since).groups.flatMap((g) => g.examples).sort();
    expect(ids(new Map([[0, 2n]]))).toEqual(['p0-late', 'p1-early', 'p1-late']);
    expect(ids(new Map([[0, 4n], [1, 2n]]))).toEqual(['p1-late']);
  });

  it('drops the blocks of a partition with it', () => {
    const log = new ChangeLog(2);
    log.record(0, 0n, 4n, [ev('a', '2025-01-01')]);
    log.record(1, 0n, 4n, [ev('b', '2025-01-01')]);
    log.drop([0]);
    expect(log.since(all).groups.flatMap((g) => g.examples)).toEqual(['b']);
    expect(log.blockCount).toBe(1);
  });

  it('stays bounded: 20,000 records in chunks of 2,000 make 4 blocks, of one group each here', () => {
    const log = new ChangeLog();
    let id = 0;
    for (let from = 0; from < 20000; from += 2000) {
      log.record(0, BigInt(from), BigInt(from + 2000), Array.from({ length: 2000 }, () => ev(`e${id++}`, '2025-05-01')));
    }
    expect(RECORDS_PER_BLOCK).toBe(5000);
    expect(log.blockCount).toBe(4); // [0, 6000) [6000, 12000) [12000, 18000) [18000, 20000)
    const { groups } = log.since(all);
    expect(groups).toEqual([{ type: 'certification.granted', source: 'urn:a', month: '2025-05', events: 20000, examples: ['e0', 'e1', 'e10', 'e100', 'e1000'] }]);
    expect(log.since(new Map([[0, 12000n]])).groups[0]!.events).toBe(8000);
  });

  it('never misses an event at or after `since`, and over-includes at most a block and a chunk (random chunks, re-deliveries)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647; // Park–Miller: products stay exact in a double
      return seed % n;
    };
    const perBlock = 50;
    const log = new ChangeLog(perBlock);
    const events: { offset: number; e: Ev }[] = [];
    let offset = 0;
    while (offset < 2000) {
      const size = 1 + random(30);
      // Sometimes a chunk is delivered again: its events are not new any more.
      const redelivered = offset > 100 && random(5) === 0;
      const from = redelivered ? offset - 1 - random(60) : offset;
      const fresh: Ev[] = [];
      if (!redelivered) {
        for (let o = from; o < from + size; o++) {
          if (random(3) === 0) continue; // a duplicate: not applied again
          const e = ev(`o${o}`, `2025-${String(1 + random(12)).padStart(2, '0')}-01`, random(2) ? 'enterprise.registered' : 'certification.granted', `urn:${random(3)}`);
          fresh.push(e);
          events.push({ offset: o, e });
        }
        offset += size;
      }
      log.record(3, BigInt(from), BigInt(from + size), fresh);
    }
    for (let since = 0; since <= offset + 1; since += 7) {
      const got = log.since(new Map([[3, BigInt(since)]]));
      const count = (pred: (o: number) => boolean) => events.filter((x) => pred(x.offset)).length;
      const reported = got.groups.reduce((n, g) => n + g.events, 0);
      const atOrAfter = events.filter((x) => x.offset >= since);
      expect(reported).toBeGreaterThanOrEqual(atOrAfter.length);
      expect(reported).toBeLessThanOrEqual(count((o) => o >= since - perBlock - 30));
      // Per (type, source, month): at least the events at or after `since`.
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
