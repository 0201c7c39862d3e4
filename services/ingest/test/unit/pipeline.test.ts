// ingestChunk with in-memory stand-ins for our own store and producer interfaces: how a chunk is
// settled in its partition's ledger, and that a re-delivered chunk is settled without reading the
// event store (the real-database path is covered by test/integration).
import { createMetricsRegistry } from '@siliconalley/http';
import type { DeadLetterProducer, InboundRecord, KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { emptyLedger, LedgerConflict, ledgerId, totalsOf, type InsertOutcome, type LedgerState, type Store, type StoredEvent } from '@siliconalley/store';
import { syntheticUscc } from '@siliconalley/testkit';
import { LedgerBook } from '../../src/ledgers';
import { ingestMetrics } from '../../src/metrics';
import { ingestChunk, type PipelineDeps } from '../../src/pipeline';

const TOPIC = 'siliconalley.enterprise.v1';

function record(offset: number, id: string, opts: { broken?: boolean; firm?: number } = {}): InboundRecord {
  const uscc = syntheticUscc(opts.firm ?? 1);
  const event = {
    specversion: '1.0',
    id,
    source: 'urn:dongcheng:samr',
    type: 'cn.gov.dongcheng.siliconalley.enterprise.deregistered.v1',
    time: '2025-08-01T00:00:00Z',
    subject: uscc,
    datacontenttype: 'application/json',
    data: { uscc, effectiveOn: '2025-08-01', reason: 'other' },
  };
  return {
    topic: TOPIC,
    partition: 0,
    offset: String(offset),
    key: uscc,
    headers: { 'content-type': 'application/cloudevents+json' },
    value: Buffer.from(opts.broken ? '{not json' : JSON.stringify(event)),
    timestamp: Date.parse('2026-01-01T00:00:00Z'),
  } as InboundRecord;
}

/** The event store as ingestion uses it: inserts, and how often a refused document's origin was asked for. */
class MemoryEvents {
  readonly docs = new Map<string, StoredEvent>();
  inserts = 0;
  originReads = 0;
  failNextInsertAfterWriting = false;
  async insertMany(docs: StoredEvent[], mayBeOwn: (d: StoredEvent) => boolean = () => true): Promise<InsertOutcome[]> {
    this.inserts++;
    const out = docs.map((d): InsertOutcome => {
      const stored = this.docs.get(d._id);
      if (!stored) {
        this.docs.set(d._id, d);
        return 'inserted';
      }
      if (!mayBeOwn(d)) return 'duplicate';
      this.originReads++;
      const o = stored.origin;
      return o.topic === d.origin.topic && o.partition === d.origin.partition && o.offset === d.origin.offset ? 'redelivered' : 'duplicate';
    });
    if (this.failNextInsertAfterWriting) {
      this.failNextInsertAfterWriting = false;
      throw new Error('connection cut after the database acted');
    }
    return out;
  }
}

class MemoryLedgers {
  readonly docs = new Map<string, LedgerState>();
  writes = 0;
  failWriteNo: number | null = null;
  async load(topic: string, partition: number) {
    return structuredClone(this.docs.get(ledgerId(topic, partition)) ?? emptyLedger(topic, partition));
  }
  async write(next: LedgerState) {
    this.writes++;
    if (this.failWriteNo === this.writes) throw new Error('process killed');
    const id = ledgerId(next.topic, next.partition);
    if ((this.docs.get(id)?.version ?? 0) !== next.version) throw new LedgerConflict(id);
    const written = { ...structuredClone(next), version: next.version + 1 };
    this.docs.set(id, written);
    return structuredClone(written);
  }
}

function setup(events = new MemoryEvents(), ledgers = new MemoryLedgers()) {
  const forwarded: string[] = [];
  const lettered: string[] = [];
  const dispositions = new Map<string, string>();
  const deps: PipelineDeps = {
    store: {
      events,
      dispositions: {
        record: async (rows: { _id: string; disposition: string }[]) => {
          for (const r of rows) dispositions.set(r._id, r.disposition);
        },
      },
    } as unknown as Store,
    ledgers: new LedgerBook(ledgers),
    kafka: { send: async (_t: string, msgs: { value: string }[]) => void forwarded.push(...msgs.map((m) => JSON.parse(m.value).id)) } as unknown as KafkaClient,
    deadLetters: {
      send: async (letters: { record: InboundRecord }[]) => void lettered.push(...letters.map((l) => l.record.offset)),
    } as unknown as DeadLetterProducer,
    acceptedTopic: 'siliconalley.accepted.v1',
    metrics: ingestMetrics(createMetricsRegistry('ingest-test')),
    logger: createLogger('ingest-test', 'silent'),
    legacyUsccAllowList: new Set(),
    baseTopic: (t) => t,
  };
  return { deps, events, ledgers, forwarded, lettered, dispositions };
}

const ledgerOf = (l: MemoryLedgers) => l.docs.get(ledgerId(TOPIC, 0))!;

describe('ingestChunk and the partition ledger', () => {
  const chunk = [record(0, 'a'), record(1, 'b'), record(2, 'a'), record(3, 'x', { broken: true }), record(4, 'c')];

  it('settles every record once: accepted, duplicate (second copy), rejected', async () => {
    const s = setup();
    await ingestChunk(chunk, s.deps);
    expect(ledgerOf(s.ledgers)).toMatchObject({ settledTo: '5', accepted: 3, duplicates: 1, rejected: [{ reason: 'malformed', n: 1 }], pending: null });
    expect(s.forwarded).toEqual(['a', 'b', 'c']);
    expect(s.lettered).toEqual(['3']);
    expect(s.events.docs.size).toBe(3);
  });

  it('skips a re-delivered chunk the ledger settled: no insert, no count, nothing forwarded again', async () => {
    const s = setup();
    await ingestChunk(chunk, s.deps);
    const again = setup(s.events, s.ledgers); // a fresh instance: nothing in memory
    await ingestChunk([...chunk, record(5, 'd')], again.deps);
    expect(ledgerOf(s.ledgers)).toMatchObject({ settledTo: '6', accepted: 4, duplicates: 1 });
    expect(again.forwarded).toEqual(['d']);
    expect(again.lettered).toEqual([]);
    expect(s.events.originReads).toBe(0);
  });

  it('after a crash past the insert, the retry takes the recorded outcomes: no read of the store, nothing counted twice', async () => {
    const ledgers = new MemoryLedgers();
    ledgers.failWriteNo = 3; // announce, outcomes, then the settle write dies with the process
    const first = setup(new MemoryEvents(), ledgers);
    first.events.docs.set('["urn:dongcheng:samr","b"]', {
      _id: '["urn:dongcheng:samr","b"]',
      origin: { topic: 'other', partition: 0, offset: '9' },
    } as StoredEvent);
    await expect(ingestChunk(chunk, first.deps)).rejects.toThrow('process killed');
    ledgers.failWriteNo = null;
    const retry = setup(first.events, ledgers);
    const inserts = first.events.inserts;
    await ingestChunk(chunk, retry.deps);
    expect(first.events.inserts).toBe(inserts);
    expect(first.events.originReads).toBe(0);
    expect(ledgerOf(ledgers)).toMatchObject({ settledTo: '5', accepted: 2, duplicates: 2, pending: null });
    expect(retry.forwarded).toEqual(['a', 'c']);
  });

  it('after a crash inside the insert, only the refused records of that attempt are looked up', async () => {
    const events = new MemoryEvents();
    events.failNextInsertAfterWriting = true;
    events.docs.set('["urn:dongcheng:samr","b"]', { _id: '["urn:dongcheng:samr","b"]', origin: { topic: 'other', partition: 0, offset: '9' } } as StoredEvent);
    const first = setup(events);
    await expect(ingestChunk(chunk, first.deps)).rejects.toThrow('connection cut');
    const retry = setup(events, first.ledgers);
    await ingestChunk([...chunk, record(5, 'b'), record(6, 'e')], retry.deps);
    // a, b and c were refused on the retry: each may have been the crashed attempt's own; 'b' at 5
    // and 'e' at 6 are past what any attempt inserted, so their verdicts need no read.
    expect(events.originReads).toBe(3);
    expect(ledgerOf(first.ledgers)).toMatchObject({ settledTo: '7', accepted: 3, duplicates: 3, pending: null });
    expect(retry.forwarded).toEqual(['a', 'c', 'e']);
  });

  it('writes the ledger once for a chunk that inserts nothing, three times for one that does', async () => {
    const s = setup();
    await ingestChunk([record(0, 'x', { broken: true }), record(1, 'y', { broken: true })], s.deps);
    expect(s.ledgers.writes).toBe(1);
    expect(s.events.inserts).toBe(0);
    await ingestChunk([record(2, 'a')], s.deps);
    expect(s.ledgers.writes).toBe(4);
    expect(ledgerOf(s.ledgers)).toMatchObject({ settledTo: '3', accepted: 1, rejected: [{ reason: 'malformed', n: 2 }] });
  });

  it('a ledger another instance advanced fails the write before anything is forwarded', async () => {
    const ledgers = new MemoryLedgers();
    const a = setup(new MemoryEvents(), ledgers);
    const b = setup(a.events, ledgers);
    await ingestChunk(chunk.slice(0, 2), a.deps);
    await ingestChunk(chunk.slice(0, 2), b.deps); // b read the settled ledger: nothing to do
    await ingestChunk(chunk.slice(2), b.deps);
    await expect(ingestChunk(chunk.slice(2), a.deps)).rejects.toBeInstanceOf(LedgerConflict);
    expect(a.forwarded).toEqual(['a', 'b']);
    // a's retry reloads the ledger and finds the records settled.
    await ingestChunk(chunk.slice(2), a.deps);
    expect(ledgerOf(ledgers)).toMatchObject({ settledTo: '5', accepted: 3, duplicates: 1 });
    expect(a.forwarded).toEqual(['a', 'b']);
  });
});

describe('ingestChunk with provider strings that are prototype keys or not well-formed Unicode (issue #14)', () => {
  /** An event of `source` (valid unless `uscc` is spoilt), as structured JSON text. */
  const from = (offset: number, source: string, id: string, spoil: 'uscc' | 'specversion' | null = null): InboundRecord => {
    const base = record(offset, id);
    const event = JSON.parse(base.value!.toString('utf8')) as Record<string, unknown>;
    event.source = source;
    if (spoil === 'uscc') {
      event.subject = '91110101MA01ABCD5X';
      (event.data as Record<string, unknown>).uscc = '91110101MA01ABCD5X';
    }
    if (spoil === 'specversion') delete event.specversion;
    return { ...base, value: Buffer.from(JSON.stringify(event)) };
  };

  afterEach(() => {
    for (const key of ['malformed', 'invalid_uscc', 'schema_invalid', 'x', 'n']) expect({ key, polluted: key in {} }).toEqual({ key, polluted: false });
  });

  it('counts sources named __proto__, constructor and prototype like any other, and pollutes nothing', async () => {
    const s = setup();
    const sources = ['__proto__', 'constructor', 'prototype'];
    await ingestChunk(
      sources.flatMap((source, i) => [
        from(4 * i, source, 'a'),
        from(4 * i + 1, source, 'a'),
        from(4 * i + 2, source, 'b', 'uscc'),
        from(4 * i + 3, source, 'c', 'specversion'),
      ]),
      s.deps,
    );
    const ledger = ledgerOf(s.ledgers);
    expect(ledger).toMatchObject({ settledTo: '12', accepted: 3, duplicates: 3 });
    const totals = totalsOf([ledger]);
    expect({ ...totals.rejected }).toEqual({ invalid_uscc: 3, malformed: 3 });
    for (const source of sources) {
      expect(Object.hasOwn(totals.rejectedByProvider, source)).toBe(true);
      expect({ source, byReason: { ...totals.rejectedByProvider[source] } }).toEqual({ source, byReason: { invalid_uscc: 1, malformed: 1 } });
    }
    expect(Object.keys(totals.rejectedByProvider).sort()).toEqual([...sources].sort());
    expect(s.forwarded).toEqual(['a', 'a', 'a']);
  });

  it('rejects ids that are not well-formed Unicode (schema_invalid) instead of storing two events under one id', async () => {
    const s = setup();
    // As UTF-8 (BSON) both would be "x\uFFFD": the second would be taken for a duplicate of the first.
    await ingestChunk(
      [from(0, 'urn:dongcheng:samr', 'x\ud800'), from(1, 'urn:dongcheng:samr', 'x\udbff'), from(2, 'urn:dongcheng:samr', 'x\ud83d\ude00')],
      s.deps,
    );
    expect(ledgerOf(s.ledgers)).toMatchObject({ settledTo: '3', accepted: 1, duplicates: 0, rejected: [{ reason: 'schema_invalid', n: 2 }] });
    expect(s.lettered).toEqual(['0', '1']);
    expect([...s.events.docs.keys()]).toEqual([JSON.stringify(['urn:dongcheng:samr', 'x\ud83d\ude00'])]);
  });
});
