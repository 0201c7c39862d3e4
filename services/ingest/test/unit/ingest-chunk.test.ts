// ingestChunk (validate → dedupe → store → dead-letter → forward → dispositions → ledger settle) on
// in-memory implementations of its ports (src/ports.ts), with the shared fixture's records and its
// dispositions.jsonl as the oracle. The real Kafka and database path stays in test/integration.
import { Registry } from '@siliconalley/http';
import { recordPosition, type DeadLetter, type InboundRecord, type OutboundRecord } from '@siliconalley/kafka';
import {
  emptyLedger,
  LedgerConflict,
  ledgerId,
  totalsOf,
  type InsertOutcome,
  type LedgerState,
  type StoredDisposition,
  type StoredEvent,
  verdictMerge,
} from '@siliconalley/store';
import { acceptedFixtureEvents, FIXTURE_ARRIVAL, loadDispositions, loadExpected, loadFixtureRecords, type FixtureRecord } from '@siliconalley/testkit';
import { LedgerBook } from '../../src/ledgers';
import { ingestMetrics } from '../../src/metrics';
import { ingestChunk, type PipelineDeps } from '../../src/pipeline';
import { deadLetterPoison, PROCESSING_FAILED } from '../../src/poison';
import type { DeadLetterSink, DispositionSink, EventSink, RecordPublisher } from '../../src/ports';

const ACCEPTED_TOPIC = 'siliconalley.accepted.v1';
const ENTERPRISE = 'siliconalley.enterprise.v1';
const NOW = new Date('2026-11-26T12:30:00Z');

// ---------------------------------------------------------------------------------------------
// Fault injection: a step armed with `n` throws the n-th time it is reached after arming.

class CrashInjected extends Error {
  constructor(step: string) {
    super(`injected crash at ${step}`);
    this.name = 'CrashInjected';
  }
}

class Faults {
  private readonly armed = new Map<string, { nth: number; seen: number }>();
  readonly fired: string[] = [];
  arm(step: string, nth = 1): void {
    this.armed.set(step, { nth, seen: 0 });
  }
  hit(step: string): void {
    const a = this.armed.get(step);
    if (!a) return;
    a.seen += 1;
    if (a.seen === a.nth) {
      this.armed.delete(step);
      this.fired.push(step);
      throw new CrashInjected(step);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// In-memory implementations of the ports, with the semantics of the real adapters.

/** The event store: one document per (source, id); the first copy wins; a refused copy from the stored copy's origin is a re-delivery. */
class MemoryEventStore implements EventSink {
  readonly docs = new Map<string, StoredEvent>();
  calls = 0;
  originReads = 0;
  /** The keys of each insert call. */
  readonly batches: string[][] = [];
  constructor(private readonly faults: Faults) {}
  async insertMany(docs: StoredEvent[], mayBeOwn: (doc: StoredEvent) => boolean): Promise<InsertOutcome[]> {
    this.calls += 1;
    this.batches.push(docs.map((d) => d._id));
    this.faults.hit('events.insertMany:before');
    const outcomes = docs.map((d): InsertOutcome => {
      const stored = this.docs.get(d._id);
      if (!stored) {
        this.docs.set(d._id, structuredClone(d));
        return 'inserted';
      }
      if (!mayBeOwn(d)) return 'duplicate';
      this.originReads += 1;
      const o = stored.origin;
      return o.topic === d.origin.topic && o.partition === d.origin.partition && o.offset === d.origin.offset ? 'redelivered' : 'duplicate';
    });
    // The database acted, the answer is lost (a cut connection).
    this.faults.hit('events.insertMany:after');
    return outcomes;
  }
}

/** Dispositions by position: a row already there stays (the real insert refuses the duplicate key). */
class MemoryDispositions implements DispositionSink {
  readonly rows = new Map<string, StoredDisposition>();
  constructor(private readonly faults: Faults) {}
  async record(rows: StoredDisposition[]): Promise<void> {
    this.faults.hit('dispositions.record');
    for (const r of rows) if (!this.rows.has(r._id)) this.rows.set(r._id, structuredClone(r));
  }
}

/** The ledger collection: conditional writes by version, as LedgerRepository does them. */
class MemoryLedgerRepository {
  readonly docs = new Map<string, LedgerState>();
  reads = 0;
  constructor(private readonly faults: Faults) {}
  async load(topic: string, partition: number): Promise<LedgerState> {
    this.reads += 1;
    return structuredClone(this.docs.get(ledgerId(topic, partition)) ?? emptyLedger(topic, partition));
  }
  async write(next: LedgerState): Promise<LedgerState> {
    this.faults.hit(`ledger.write:${next.partition}`);
    const id = ledgerId(next.topic, next.partition);
    if ((this.docs.get(id)?.version ?? 0) !== next.version) throw new LedgerConflict(id);
    const written = { ...structuredClone(next), version: next.version + 1 };
    this.docs.set(id, written);
    return structuredClone(written);
  }
}

class MemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  constructor(private readonly faults: Faults) {}
  async send(letters: DeadLetter[], _now: Date): Promise<void> {
    this.faults.hit('deadLetters.send');
    this.letters.push(...letters);
  }
}

class MemoryTopics implements RecordPublisher {
  readonly byTopic = new Map<string, OutboundRecord[]>();
  constructor(private readonly faults: Faults) {}
  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    this.faults.hit('accepted.send');
    this.byTopic.set(topic, [...(this.byTopic.get(topic) ?? []), ...records]);
  }
  /** The (source, id) of each accepted event forwarded, in order. */
  forwarded(): string[] {
    return (this.byTopic.get(ACCEPTED_TOPIC) ?? []).map((r) => {
      const e = JSON.parse(String(r.value)) as { source: string; id: string };
      return `${e.source} ${e.id}`;
    });
  }
}

/** Everything outside the process: it survives a crash; each `process()` is a fresh instance (nothing in memory). */
function world() {
  const faults = new Faults();
  const w = {
    faults,
    events: new MemoryEventStore(faults),
    dispositions: new MemoryDispositions(faults),
    ledgers: new MemoryLedgerRepository(faults),
    deadLetters: new MemoryDeadLetters(faults),
    topics: new MemoryTopics(faults),
    process(): PipelineDeps {
      return {
        store: { events: w.events, dispositions: w.dispositions },
        ledgers: new LedgerBook(w.ledgers),
        kafka: w.topics,
        deadLetters: w.deadLetters,
        acceptedTopic: ACCEPTED_TOPIC,
        metrics: ingestMetrics(new Registry()),
        logger: { info: () => {} },
        legacyUsccAllowList: new Set(),
        baseTopic: (t) => t,
        now: () => NOW,
      };
    },
    ledger(partition = 0, topic = ENTERPRISE): LedgerState {
      return w.ledgers.docs.get(ledgerId(topic, partition)) ?? emptyLedger(topic, partition);
    },
    /** Every record's verdict by position, as DispositionRepository.rows() reads them: recorded rows, and the stored events' origins. */
    verdicts(): Map<string, StoredDisposition> {
      const merge = verdictMerge(w.dispositions.rows.values());
      const accepted = [...w.events.docs.values()].flatMap((doc) => merge.acceptedFrom(doc) ?? []);
      return new Map([...merge.rows, ...accepted].map((row) => [row._id, row]));
    },
  };
  return w;
}
type World = ReturnType<typeof world>;

/** The counts of a ledger, without the bookkeeping of how it got there. */
const countsOf = (l: LedgerState) => ({
  settledTo: l.settledTo,
  pending: l.pending,
  accepted: l.accepted,
  duplicates: l.duplicates,
  rejected: [...l.rejected].sort((a, b) => a.reason.localeCompare(b.reason)),
  rejectedBySource: [...l.rejectedBySource].sort((a, b) => `${a.source} ${a.reason}`.localeCompare(`${b.source} ${b.reason}`)),
  newestEventTime: l.newestEventTime,
  newestReceivedAt: l.newestReceivedAt,
});

// ---------------------------------------------------------------------------------------------
// The fixture's records as a consumer reads them, with what dispositions.jsonl says of each.

const fixture = loadFixtureRecords('small');
const truth = loadDispositions('small');
const expected = loadExpected('small');

type Want = { disposition: 'accepted' | 'duplicate' } | { disposition: 'rejected'; reason: string };

const asRecord = (r: FixtureRecord, partition: number, offset: number): InboundRecord => ({
  topic: r.topic,
  partition,
  offset: String(offset),
  key: r.key,
  headers: { ...r.headers },
  value: Buffer.from(r.value, 'utf8'),
  timestamp: FIXTURE_ARRIVAL.getTime(),
});

const enterprise = fixture.map((r, i) => ({ r, t: truth[i]! })).filter(({ r }) => r.topic === ENTERPRISE);
const acceptedEnterprise = enterprise.filter(({ t }) => t.disposition === 'accepted').map(({ r }) => r);
const REASONS = ['future_dated', 'invalid_location', 'invalid_uscc', 'malformed', 'schema_invalid', 'subject_mismatch', 'too_large', 'unknown_type'];
/** Two records of each reason the enterprise topic has in the fixture. */
const rejectedEnterprise = REASONS.flatMap((reason) =>
  enterprise
    .filter(({ t }) => t.reason === reason)
    .slice(0, 2)
    .map(({ r }) => ({ r, reason })),
);

/** Accepted on partition 1 before the chunk arrives: its copy in the chunk is a duplicate. */
const storedBefore = acceptedEnterprise[6]!;

/**
 * One chunk of partition 0: six new valid events, two second copies of them in the chunk, a copy of
 * an event stored before (from partition 1), and two rejections of each of eight reasons.
 */
function mixedChunk(): { records: InboundRecord[]; want: Want[] } {
  const [a0, a1, a2, a3, a4, a5] = acceptedEnterprise;
  const rej = rejectedEnterprise.map(({ r, reason }) => ({ r, want: { disposition: 'rejected', reason } as Want }));
  const ok = (r: FixtureRecord) => ({ r, want: { disposition: 'accepted' } as Want });
  const dup = (r: FixtureRecord) => ({ r, want: { disposition: 'duplicate' } as Want });
  const items = [
    ok(a0!),
    ...rej.slice(0, 4),
    ok(a1!),
    dup(storedBefore),
    ...rej.slice(4, 8),
    ok(a2!),
    dup(a0!),
    ...rej.slice(8, 12),
    ok(a3!),
    ok(a4!),
    ...rej.slice(12),
    ok(a5!),
    dup(a3!),
  ];
  return { records: items.map(({ r }, i) => asRecord(r, 0, i)), want: items.map(({ want }) => want) };
}

/** A world in which `storedBefore` was accepted from partition 1. */
async function worldWithStoredEvent(): Promise<World> {
  const w = world();
  await ingestChunk([asRecord(storedBefore, 1, 0)], w.process());
  expect(w.ledger(1)).toMatchObject({ settledTo: '1', accepted: 1 });
  return w;
}

/** A fixture record's own source, id and subject: from its ce_ headers (binary mode) or its JSON value (structured). */
function attributesOf(r: FixtureRecord): { source: string; id: string; subject: string } {
  if (r.headers.ce_id !== undefined) return { source: r.headers.ce_source!, id: r.headers.ce_id, subject: r.headers.ce_subject! };
  return JSON.parse(r.value) as { source: string; id: string; subject: string };
}
const keyOf = (r: FixtureRecord) => `${attributesOf(r).source} ${attributesOf(r).id}`;

// ---------------------------------------------------------------------------------------------

describe('ingestChunk on in-memory ports: one mixed chunk', () => {
  it('gives each record its disposition, dead-letters the rejected ones with their reasons, and settles the counts', async () => {
    const w = await worldWithStoredEvent();
    const { records, want } = mixedChunk();
    const deps = w.process();
    await ingestChunk(records, deps);

    // Every record's verdict, by position.
    const got = records.map((r) => {
      const row = w.verdicts().get(recordPosition(r));
      return row?.disposition === 'rejected' ? { disposition: 'rejected', reason: row.reason } : { disposition: row?.disposition };
    });
    expect(got).toEqual(want);
    expect(w.verdicts().get(recordPosition(records[0]!))).toMatchObject({
      topic: ENTERPRISE,
      reason: null,
      at: FIXTURE_ARRIVAL, // an accepted verdict is its stored event: `at` is when the record arrived
      eventId: attributesOf(acceptedEnterprise[0]!).id,
    });
    // Only the verdicts the event store does not hold are written (write only what is read).
    const written = [...w.dispositions.rows.values()];
    expect(written.map((row) => row.disposition).sort()).toEqual(
      want
        .map((x) => x.disposition)
        .filter((d) => d !== 'accepted')
        .sort(),
    );
    expect(written.every((row) => row.at === NOW || row.at.getTime() === NOW.getTime())).toBe(true);

    // Dead letters: the rejected records whole, with reason, message and origin; nothing else.
    const rejectedAt = want.flatMap((x, i) => (x.disposition === 'rejected' ? [i] : []));
    expect(w.deadLetters.letters.map((l) => l.origin)).toEqual(rejectedAt.map((i) => ({ topic: ENTERPRISE, partition: 0, offset: String(i) })));
    w.deadLetters.letters.forEach((l, k) => {
      const i = rejectedAt[k]!;
      expect({ offset: i, reason: l.reason }).toEqual({ offset: i, reason: (want[i] as { reason: string }).reason });
      expect(l.message.length).toBeGreaterThan(10);
      expect(l.record.value).toEqual(records[i]!.value);
      expect(l.record.headers).toEqual(records[i]!.headers);
    });

    // The ledger of partition 0: every record settled once.
    const ledger = w.ledger(0);
    expect(countsOf(ledger)).toMatchObject({
      settledTo: String(records.length),
      pending: null,
      accepted: 6,
      duplicates: 3,
      rejected: REASONS.map((reason) => ({ reason, n: 2 })),
    });
    const bySource = new Map<string, number>();
    for (const { reason, n } of ledger.rejectedBySource) bySource.set(reason, (bySource.get(reason) ?? 0) + n);
    expect(Object.fromEntries(bySource)).toEqual(Object.fromEntries(REASONS.map((r) => [r, 2])));
    expect(ledger.newestReceivedAt).toEqual(FIXTURE_ARRIVAL);

    // Stored once; a second copy in the chunk never goes to the store (a duplicate key inside one
    // bulk insert makes FerretDB redo it record by record); forwarded in arrival order, keyed by subject.
    expect(w.events.docs.size).toBe(7);
    expect(w.events.batches.slice(1).map((keys) => keys.length)).toEqual([7]); // six new ones and the copy of the stored one
    const forwardedHere = (w.topics.byTopic.get(ACCEPTED_TOPIC) ?? []).slice(1); // [0] came from partition 1
    expect(w.topics.forwarded().slice(1)).toEqual(acceptedEnterprise.slice(0, 6).map(keyOf));
    expect(forwardedHere.map((r) => r.key)).toEqual(acceptedEnterprise.slice(0, 6).map((r) => attributesOf(r).subject));
    const first = attributesOf(acceptedEnterprise[0]!);
    expect([...w.events.docs.values()].find((d) => d.source === first.source && d.id === first.id)?.origin).toEqual({
      topic: ENTERPRISE,
      partition: 0,
      offset: '0',
    });

    // The service's counters agree with the ledger.
    const metric = async (name: string) => (await deps.metrics[name as 'accepted'].get()).values.reduce((n, v) => n + v.value, 0);
    expect([await metric('accepted'), await metric('duplicates'), await metric('rejected'), await metric('consumed')]).toEqual([6, 3, 16, records.length]);
  });

  it('a chunk of another partition mixed in is refused before anything is written', async () => {
    const w = world();
    await expect(ingestChunk([asRecord(acceptedEnterprise[0]!, 0, 0), asRecord(acceptedEnterprise[1]!, 1, 1)], w.process())).rejects.toThrow('one partition');
    expect([w.events.calls, w.ledgers.docs.size, w.deadLetters.letters.length]).toEqual([0, 0, 0]);
  });
});

describe('ingestChunk on in-memory ports: re-delivery', () => {
  it('a re-delivered chunk (same offsets) is not counted, stored, dead-lettered or forwarded again — by the same instance or a new one', async () => {
    const w = await worldWithStoredEvent();
    const { records } = mixedChunk();
    const first = w.process();
    await ingestChunk(records, first);
    const after = structuredClone(w.ledger(0));
    const snapshot = () => [w.events.calls, w.deadLetters.letters.length, w.topics.forwarded().length, w.dispositions.rows.size, w.verdicts().size];
    const before = snapshot();

    await ingestChunk(records, first); // the same instance (the commit was lost)
    await ingestChunk(records, w.process()); // a new instance after a restart
    expect(w.ledger(0)).toEqual(after); // not even written again
    expect(snapshot()).toEqual(before);
  });

  it('re-delivered with other boundaries: the settled part is skipped, the rest counted once', async () => {
    const w = await worldWithStoredEvent();
    const { records, want } = mixedChunk();
    await ingestChunk(records.slice(0, 10), w.process());
    await ingestChunk(records.slice(5, 20), w.process());
    await ingestChunk(records.slice(15), w.process());
    await ingestChunk(records, w.process());

    const clean = await worldWithStoredEvent();
    await ingestChunk(records, clean.process());
    expect(countsOf(w.ledger(0))).toEqual(countsOf(clean.ledger(0)));
    expect(w.topics.forwarded()).toEqual(clean.topics.forwarded());
    expect(w.deadLetters.letters.map((l) => l.origin.offset)).toEqual(clean.deadLetters.letters.map((l) => l.origin.offset));
    expect(w.ledger(0)).toMatchObject({ accepted: want.filter((x) => x.disposition === 'accepted').length, duplicates: 3 });
  });
});

describe('ingestChunk on in-memory ports: a crash, then the re-delivery', () => {
  // Where the process dies. Ledger writes of partition 0: 1 announces the insert, 2 records the
  // outcomes, 3 settles the counts.
  const crashes: [string, string, number][] = [
    ['before the insert is announced', 'ledger.write:0', 1],
    ['inside the insert, after the database acted', 'events.insertMany:after', 1],
    ['after the insert, before its outcomes are recorded', 'ledger.write:0', 2],
    ['while dead-lettering', 'deadLetters.send', 1],
    ['while forwarding accepted events', 'accepted.send', 1],
    ['while recording dispositions', 'dispositions.record', 1],
    ['after everything but the ledger settle', 'ledger.write:0', 3],
  ];

  it.each(crashes)('crash %s: the re-delivered chunk gives the same final counts, store and dispositions', async (_when, step, nth) => {
    const clean = await worldWithStoredEvent();
    const { records } = mixedChunk();
    await ingestChunk(records, clean.process());

    const w = await worldWithStoredEvent();
    w.faults.arm(step, nth);
    await expect(ingestChunk(records, w.process())).rejects.toBeInstanceOf(CrashInjected);
    expect(w.faults.fired).toEqual([step]);
    expect(w.ledger(0).settledTo).toBe('0'); // nothing settled: the chunk is re-delivered

    await ingestChunk(records, w.process()); // the restarted instance
    expect(countsOf(w.ledger(0))).toEqual(countsOf(clean.ledger(0)));
    expect(new Map([...w.events.docs].map(([k, d]) => [k, d.origin]))).toEqual(new Map([...clean.events.docs].map(([k, d]) => [k, d.origin])));
    expect(new Map([...w.verdicts()].map(([k, r]) => [k, [r.disposition, r.reason]]))).toEqual(
      new Map([...clean.verdicts()].map(([k, r]) => [k, [r.disposition, r.reason]])),
    );
    // At least once downstream: every rejected record dead-lettered, every accepted event forwarded
    // (the indicator dedupes by (source, id)); never a duplicate forwarded.
    expect(new Set(w.deadLetters.letters.map((l) => `${l.origin.offset} ${l.reason}`))).toEqual(
      new Set(clean.deadLetters.letters.map((l) => `${l.origin.offset} ${l.reason}`)),
    );
    expect(new Set(w.topics.forwarded())).toEqual(new Set(clean.topics.forwarded()));

    // And a third delivery changes nothing.
    const settled = structuredClone(w.ledger(0));
    await ingestChunk(records, w.process());
    expect(w.ledger(0)).toEqual(settled);
  });

  it('after a crash past the recorded outcomes the retry reads no stored origin', async () => {
    const w = await worldWithStoredEvent();
    const { records } = mixedChunk();
    w.faults.arm('ledger.write:0', 3);
    await expect(ingestChunk(records, w.process())).rejects.toBeInstanceOf(CrashInjected);
    const calls = w.events.calls;
    await ingestChunk(records, w.process());
    expect(w.events.calls).toBe(calls); // outcomes known from the ledger: no insert at all
    expect(w.events.originReads).toBe(0);
  });

  it('two instances on one partition (a rebalance): the stale one fails its write and settles nothing twice', async () => {
    const w = await worldWithStoredEvent();
    const { records } = mixedChunk();
    const a = w.process();
    const b = w.process();
    await ingestChunk(records.slice(0, 8), a);
    await ingestChunk(records.slice(0, 8), b); // b reads the settled ledger: nothing to do
    await ingestChunk(records.slice(8), b);
    await expect(ingestChunk(records.slice(8), a)).rejects.toBeInstanceOf(LedgerConflict);
    await ingestChunk(records.slice(8), a); // a's retry reloads the ledger
    const clean = await worldWithStoredEvent();
    await ingestChunk(records, clean.process());
    expect(countsOf(w.ledger(0))).toEqual(countsOf(clean.ledger(0)));
  });
});

describe('ingestChunk on in-memory ports: the whole fixture', () => {
  it('every record of events.jsonl gets the disposition of dispositions.jsonl; the ledgers add up to expected.json', async () => {
    const w = world();
    const deps = w.process();
    const offsets = new Map<string, number>();
    const positions: string[] = [];
    let run: InboundRecord[] = [];
    const flush = async () => {
      for (let i = 0; i < run.length; i += 100) await ingestChunk(run.slice(i, i + 100), deps);
      run = [];
    };
    // Consecutive records of one topic form chunks of up to 100, in arrival order (one partition per topic).
    for (const r of fixture) {
      if (run.length > 0 && run[0]!.topic !== r.topic) await flush();
      const offset = offsets.get(r.topic) ?? 0;
      offsets.set(r.topic, offset + 1);
      const record = asRecord(r, 0, offset);
      positions.push(recordPosition(record));
      run.push(record);
    }
    await flush();

    const mismatches = truth
      .map((t, i) => {
        const row = w.verdicts().get(positions[i]!);
        return { line: t.line, want: [t.disposition, t.reason], got: [row?.disposition, row?.reason] };
      })
      .filter((m) => JSON.stringify(m.want) !== JSON.stringify(m.got));
    expect(mismatches).toEqual([]);

    const totals = totalsOf([...w.ledgers.docs.values()]);
    expect({ ...totals.rejected }).toEqual(expected.rejected);
    expect(totals.duplicates).toBe(expected.duplicates);
    expect(totals.accepted).toBe(truth.filter((t) => t.disposition === 'accepted').length);
    expect(w.topics.forwarded()).toEqual(acceptedFixtureEvents('small').map((e) => `${e.source} ${e.id}`));
    expect(w.deadLetters.letters).toHaveLength(Object.values(expected.rejected).reduce((n, k) => n + k, 0));
  });
});

describe('deadLetterPoison on in-memory ports', () => {
  it('dead-letters a record that crashes the pipeline alone, settles it as rejected once, and skips it when re-delivered', async () => {
    const w = world();
    const record = asRecord(acceptedEnterprise[0]!, 0, 0);
    await deadLetterPoison(record, new Error('boom'), w.process());
    await deadLetterPoison(record, new Error('boom'), w.process());
    expect(w.deadLetters.letters.map((l) => [l.reason, l.message, l.origin.offset])).toEqual([[PROCESSING_FAILED, 'processing failed: boom', '0']]);
    expect(w.verdicts().get(recordPosition(record))).toMatchObject({
      disposition: 'rejected',
      reason: PROCESSING_FAILED,
      eventId: attributesOf(acceptedEnterprise[0]!).id,
    });
    expect(countsOf(w.ledger(0))).toMatchObject({ settledTo: '1', accepted: 0, rejected: [{ reason: PROCESSING_FAILED, n: 1 }] });
    // The next record is ingested as usual.
    await ingestChunk([record, asRecord(acceptedEnterprise[1]!, 0, 1)], w.process());
    expect(countsOf(w.ledger(0))).toMatchObject({ settledTo: '2', accepted: 1 });
    expect(w.topics.forwarded()).toEqual([keyOf(acceptedEnterprise[1]!)]);
  });
});
