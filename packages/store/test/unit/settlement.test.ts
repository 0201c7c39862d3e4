import {
  announceInsert,
  emptyLedger,
  MAX_SOURCES,
  OTHER_SOURCES,
  priorInsert,
  recordOutcomes,
  settle,
  totalsOf,
  unsettled,
  UNREADABLE_SOURCE,
  type SettledRecord,
} from '../../src/ledgers/settlement';

const at = new Date('2026-01-01T00:00:00Z');
const accepted = (offset: number, time = '2025-01-01T00:00:00Z'): SettledRecord => ({
  offset: String(offset),
  disposition: 'accepted',
  reason: null,
  source: 'urn:a',
  eventTime: time,
  receivedAt: at,
});
const duplicate = (offset: number): SettledRecord => ({
  offset: String(offset),
  disposition: 'duplicate',
  reason: null,
  source: 'urn:a',
  eventTime: null,
  receivedAt: at,
});
const rejected = (offset: number, reason: string, source: string | null = 'urn:a'): SettledRecord => ({
  offset: String(offset),
  disposition: 'rejected',
  reason,
  source,
  eventTime: null,
  receivedAt: at,
});

describe('ingest ledger settlement', () => {
  it('counts each record once, whatever the chunk boundaries of a re-delivery', () => {
    const l0 = emptyLedger('t', 0);
    const once = settle(l0, [accepted(0), duplicate(1), rejected(2, 'malformed')]);
    expect(once).toMatchObject({ settledTo: '3', accepted: 1, duplicates: 1, rejected: [{ reason: 'malformed', n: 1 }] });
    // Re-delivered from offset 1 with two new records: only 3 and 4 count.
    const again = settle(once, [duplicate(1), rejected(2, 'malformed'), accepted(3), accepted(4)]);
    expect(again).toMatchObject({ settledTo: '5', accepted: 3, duplicates: 1, rejected: [{ reason: 'malformed', n: 1 }] });
    // Entirely settled already: the same state object comes back.
    expect(settle(again, [accepted(3), accepted(4)])).toBe(again);
    expect(unsettled(again, [{ offset: '4' }, { offset: '6' }, { offset: '5' }])).toEqual([{ offset: '5' }, { offset: '6' }]);
  });

  it('compares offsets as integers past 2^53 and keeps the newest event time and arrival', () => {
    const l = settle({ ...emptyLedger('t', 1), settledTo: '9007199254740993' }, [
      accepted(0),
      { ...accepted(0, '2026-03-01T00:00:00+08:00'), offset: '9007199254740993' },
    ]);
    expect(l.settledTo).toBe('9007199254740994');
    expect(l.accepted).toBe(1);
    expect(l.newestEventTime).toBe('2026-03-01T00:00:00+08:00');
    const later = settle(l, [{ ...accepted(0, '2026-02-28T23:00:00Z'), offset: '9007199254740994', receivedAt: new Date('2026-05-01T00:00:00Z') }]);
    // 23:00Z on the 28th is after 00:00+08:00 on the 1st (16:00Z on the 28th).
    expect(later.newestEventTime).toBe('2026-02-28T23:00:00Z');
    expect(later.newestReceivedAt).toEqual(new Date('2026-05-01T00:00:00Z'));
  });

  it('bounds the providers it keeps and names unreadable ones', () => {
    let l = emptyLedger('t', 0);
    l = settle(
      l,
      Array.from({ length: MAX_SOURCES + 5 }, (_, i) => rejected(i, 'malformed', `urn:p${i}`)),
    );
    l = settle(l, [rejected(MAX_SOURCES + 5, 'invalid_uscc', null)]);
    const sources = new Set(l.rejectedBySource.map((r) => r.source));
    expect(sources.size).toBe(MAX_SOURCES + 1);
    expect(l.rejectedBySource.find((r) => r.source === OTHER_SOURCES)).toEqual({ source: OTHER_SOURCES, reason: 'malformed', n: 5 });
    expect(l.rejectedBySource.find((r) => r.source === UNREADABLE_SOURCE) ?? null).toBeNull();
  });

  it('tells a retry what an earlier attempt inserted: recorded outcomes, unknown after a crash mid-insert, new beyond', () => {
    const l0 = { ...emptyLedger('t', 0), settledTo: '10' };
    expect(priorInsert(l0, '10')).toBe('new');
    const announced = { ...l0, pending: announceInsert(l0, '19') };
    expect(priorInsert(announced, '15')).toBe('unknown');
    expect(priorInsert(announced, '20')).toBe('new');
    const recorded = { ...announced, pending: recordOutcomes(announced, '19', ['12']) };
    expect(priorInsert(recorded, '12')).toBe('duplicate');
    expect(priorInsert(recorded, '13')).toBe('stored');
    expect(priorInsert(recorded, '20')).toBe('new');
    // A smaller retry chunk keeps what a larger earlier one recorded past its end.
    const smaller = { ...recorded, pending: recordOutcomes(recorded, '14', []) };
    expect(priorInsert(smaller, '12')).toBe('stored');
    expect(priorInsert(smaller, '17')).toBe('stored');
    const bigger = { ...recorded, pending: announceInsert(recorded, '29') };
    expect(priorInsert(bigger, '12')).toBe('duplicate');
    expect(priorInsert(bigger, '25')).toBe('unknown');
    // Settling up to 19 leaves the larger attempt's range pending, its outcomes unknown.
    const settled = settle(
      bigger,
      Array.from({ length: 10 }, (_, i) => accepted(10 + i)),
    );
    expect(settled.pending).toEqual({ insertedTo: '29', outcomesTo: null, refused: [] });
    expect(priorInsert(settled, '25')).toBe('unknown');
    expect(
      settle(
        recorded,
        Array.from({ length: 10 }, (_, i) => accepted(10 + i)),
      ).pending,
    ).toBeNull();
  });

  it('adds ledgers up into pipeline totals keyed without a prototype', () => {
    const a = settle(emptyLedger('enterprise', 0), [accepted(0, '2025-01-01T00:00:00Z'), rejected(1, 'malformed', '__proto__')]);
    const b = settle(emptyLedger('enterprise', 1), [accepted(0, '2025-06-01T00:00:00Z'), duplicate(1), rejected(2, 'constructor', null)]);
    const c = settle(emptyLedger('task', 0), [accepted(0)]);
    const t = totalsOf([a, b, c]);
    expect(t.accepted).toBe(3);
    expect(t.duplicates).toBe(1);
    expect({ ...t.rejected }).toEqual({ malformed: 1, constructor: 1 });
    expect(Object.getPrototypeOf(t.rejectedByProvider)).toBeNull();
    expect(t.rejectedByProvider['__proto__']!['malformed']).toBe(1);
    expect(t.rejectedByProvider[UNREADABLE_SOURCE]!['constructor']).toBe(1);
    expect(({} as Record<string, unknown>)['malformed']).toBeUndefined();
    expect(t.byTopic['enterprise']).toMatchObject({ accepted: 2, duplicates: 1, rejected: 2, lastEventTime: '2025-06-01T00:00:00Z' });
    expect({ ...t.byTopic['enterprise']!.settled }).toEqual({ '0': '2', '1': '3' });
  });
});
