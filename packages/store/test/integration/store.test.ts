// Against the real FerretDB (or MongoDB when MONGO_URL points at one) started by `npm test`.
import { connectDatabase, type Connection } from '@siliconalley/db';
import { startConnectionCutter, testEnv, type ConnectionCutter } from '@siliconalley/testkit';
import { createStore, emptyLedger, EventRepository, LedgerConflict, ONE_BY_ONE_LOOKUPS, settle, type Store } from '../../src';
import { storedEvent } from '../stored-event';

const event = storedEvent;

describe('store on the real database', () => {
  let conn: Connection;
  let store: Store;
  beforeAll(async () => {
    const env = testEnv();
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    store = createStore(conn);
    await store.ensureIndexes();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('the unique (source, id) index rejects a second copy', async () => {
    await store.events.model.create(event('e-1', '1'));
    await expect(store.events.model.create(event('e-1', '2'))).rejects.toMatchObject({ code: 11000 });
    // Another provider may reuse the id: the key is the pair.
    await expect(store.events.model.create(event('e-1', '3', 'urn:dongcheng:stc'))).resolves.toBeDefined();
  });

  it('tells inserted, duplicate and re-delivered events apart', async () => {
    const outcomes = await store.events.insertMany([event('e-2', '10'), event('e-1', '11'), event('e-2', '12'), event('e-3', '13')]);
    expect(outcomes).toEqual(['inserted', 'duplicate', 'duplicate', 'inserted']);
    // The same records again (a crash before the offsets were committed): re-delivered, not duplicates.
    expect(await store.events.insertMany([event('e-2', '10'), event('e-3', '13')])).toEqual(['redelivered', 'redelivered']);
    expect(await store.events.model.countDocuments()).toBe(4);
  });

  it('a fresh instance (after a crash, or another replica) tells them apart from the database alone', async () => {
    const restarted = new EventRepository(store.events.model);
    expect(await restarted.insertMany([event('e-3', '13'), event('e-2', '14'), event('e-4', '15'), event('e-4', '16')])).toEqual([
      'redelivered',
      'duplicate',
      'inserted',
      'duplicate',
    ]);
    expect(await store.events.model.countDocuments()).toBe(5);
  });

  it("the database, not memory, says what is stored: a write lost behind an instance's back is stored again", async () => {
    const repo = new EventRepository(store.events.model);
    expect(await repo.insertMany([event('m-1', '20'), event('m-2', '21')])).toEqual(['inserted', 'inserted']);
    // As after a database restored from an older backup: the chunk's retry must store it again.
    await store.events.model.deleteMany({ id: 'm-1' });
    expect(await repo.insertMany([event('m-1', '20'), event('m-2', '21')])).toEqual(['inserted', 'redelivered']);
    expect(await store.events.model.countDocuments({ id: { $in: ['m-1', 'm-2'] } })).toBe(2);
  });

  it('an instance takes the origin of an event it stored from memory, not from a lookup', async () => {
    // Proved by changing the stored origin behind its back (an event never changes in production,
    // so a remembered origin is never stale there): the remembered one still decides.
    const repo = new EventRepository(store.events.model, 2);
    expect(await repo.insertMany([event('n-1', '40'), event('n-2', '41'), event('n-3', '42')])).toEqual(['inserted', 'inserted', 'inserted']);
    await store.events.model.deleteMany({ id: { $in: ['n-1', 'n-2', 'n-3'] } });
    await store.events.model.insertMany([event('n-1', '50'), event('n-2', '51'), event('n-3', '52')]);
    // Capacity 2: n-1 was forgotten (looked up: stored from 50, so 40 is a duplicate); n-2 and n-3 remembered.
    expect(await repo.insertMany([event('n-1', '40'), event('n-2', '41'), event('n-3', '42')])).toEqual(['duplicate', 'redelivered', 'redelivered']);
  });

  it("a fresh instance settles a crashed instance's whole re-delivered chunk in one lookup batch", async () => {
    const n = ONE_BY_ONE_LOOKUPS + 15;
    const chunk = Array.from({ length: n }, (_, i) => event(`r-${i}`, String(100 + i)));
    expect(await new EventRepository(store.events.model).insertMany(chunk)).toEqual(chunk.map(() => 'inserted'));
    // The chunk comes back to another instance, plus two re-sends of its events from other records.
    const restarted = new EventRepository(store.events.model);
    const again = [...chunk, event('r-0', '900'), event(`r-${n - 1}`, '901')];
    expect(await restarted.insertMany(again)).toEqual([...chunk.map(() => 'redelivered'), 'duplicate', 'duplicate']);
    expect(await store.events.model.countDocuments({ id: { $regex: '^r-' } })).toBe(n);
  });

  it('drops indexes the schemas no longer declare (they only slowed inserts)', async () => {
    await store.dispositions.model.collection.createIndex({ at: 1 }, { name: 'at' });
    await store.events.model.collection.createIndex({ subject: 1 }, { name: 'subject' });
    await store.ensureIndexes();
    expect((await store.dispositions.model.listIndexes()).map((i) => i.name)).toEqual(['_id_']);
    expect((await store.events.model.listIndexes()).map((i) => i.name)).toEqual(['_id_']);
    expect((await store.assessments.model.listIndexes()).map((i) => i.name).sort()).toEqual(['_id_', 'period_1_version_-1']);
  });

  it('records dispositions idempotently', async () => {
    const at = new Date();
    const row = (id: string, disposition: 'accepted' | 'duplicate' | 'rejected', reason: string | null = null) => ({
      _id: `t/0/${id}`,
      topic: 't',
      disposition,
      reason,
      source: 'urn:x',
      eventId: id,
      type: null,
      at,
    });
    await store.dispositions.record([row('1', 'accepted'), row('2', 'duplicate'), row('3', 'rejected', 'malformed')]);
    // The same chunk again (a re-delivery with the same boundaries): refused as a duplicate, no error.
    await store.dispositions.record([row('1', 'accepted'), row('2', 'duplicate'), row('3', 'rejected', 'malformed')]);
    // A re-delivery with other boundaries: stored again, read back once per position.
    await store.dispositions.record([row('3', 'rejected', 'malformed'), row('4', 'rejected', 'invalid_uscc')]);
    // One document per chunk, not per record (write only what is read).
    expect(await store.dispositions.model.countDocuments()).toBe(2);
    const rows = (await store.dispositions.list()).filter((r) => r.topic === 't');
    expect(rows.map((r) => [r._id, r.disposition, r.reason])).toEqual([
      ['t/0/1', 'accepted', null],
      ['t/0/2', 'duplicate', null],
      ['t/0/3', 'rejected', 'malformed'],
      ['t/0/4', 'rejected', 'invalid_uscc'],
    ]);
    expect(rows.every((r) => r.at.getTime() === at.getTime())).toBe(true);
  });

  it("reads an accepted record's verdict from its stored event, and a recorded verdict wins", async () => {
    const arrived = new Date('2026-03-01T08:00:00Z');
    const accepted = (id: string, offset: number) => ({
      ...event(id, offset),
      origin: { topic: 'v', partition: 2, offset: String(offset) },
      receivedAt: arrived,
    });
    expect(await store.events.insertMany([accepted('v-1', 0), accepted('v-2', 2), accepted('v-3', 3)])).toEqual(['inserted', 'inserted', 'inserted']);
    const at = new Date('2026-03-01T09:00:00Z');
    const row = (offset: number, disposition: 'accepted' | 'duplicate' | 'rejected', reason: string | null = null) => ({
      _id: `v/2/${offset}`,
      topic: 'v',
      disposition,
      reason,
      source: 'urn:dongcheng:samr',
      eventId: null,
      type: null,
      at,
    });
    // Ingestion records only what the store does not hold; offset 3 stands for a record settled as
    // rejected after its event was stored (a poison record): the recorded verdict wins.
    await store.dispositions.record([row(1, 'duplicate'), row(3, 'rejected', 'processing_failed')]);
    const verdicts = (await store.dispositions.list()).filter((r) => r.topic === 'v').sort((a, b) => a._id.localeCompare(b._id));
    expect(verdicts.map((r) => [r._id, r.disposition, r.reason, r.eventId, r.at.toISOString()])).toEqual([
      ['v/2/0', 'accepted', null, 'v-1', arrived.toISOString()],
      ['v/2/1', 'duplicate', null, null, at.toISOString()],
      ['v/2/2', 'accepted', null, 'v-2', arrived.toISOString()],
      ['v/2/3', 'rejected', 'processing_failed', null, at.toISOString()],
    ]);
    expect(verdicts.find((r) => r._id === 'v/2/0')).toMatchObject({ source: 'urn:dongcheng:samr', type: 'enterprise.deregistered' });
    // Nothing to record writes nothing.
    const chunks = await store.dispositions.model.countDocuments();
    await store.dispositions.record([]);
    expect(await store.dispositions.model.countDocuments()).toBe(chunks);
  });

  it('keeps one ledger per partition, written only over the version it was read at', async () => {
    const fresh = await store.ledgers.load('lt', 0);
    expect(fresh).toEqual(emptyLedger('lt', 0));
    const at = new Date('2026-01-01T00:00:00Z');
    const v1 = await store.ledgers.write(
      settle(fresh, [{ offset: '0', disposition: 'rejected', reason: 'malformed', source: '__proto__', eventTime: null, receivedAt: at }]),
    );
    expect(v1.version).toBe(1);
    // A second writer that read version 0 (another instance during a rebalance) is refused.
    await expect(
      store.ledgers.write(
        settle(fresh, [{ offset: '0', disposition: 'accepted', reason: null, source: 'urn:x', eventTime: '2025-01-01T00:00:00Z', receivedAt: at }]),
      ),
    ).rejects.toBeInstanceOf(LedgerConflict);
    const pending = await store.ledgers.write({ ...v1, pending: { insertedTo: '9', outcomesTo: '9', refused: ['3'] } });
    await expect(store.ledgers.write({ ...v1, pending: null })).rejects.toBeInstanceOf(LedgerConflict);
    const loaded = await store.ledgers.load('lt', 0);
    expect(loaded).toEqual(pending);
    await store.ledgers.write(
      settle(await store.ledgers.load('lt', 1), [
        { offset: '5', disposition: 'accepted', reason: null, source: 'urn:x', eventTime: '2025-01-01T00:00:00Z', receivedAt: at },
      ]),
    );
    const totals = await store.ledgers.totals();
    expect(totals.accepted).toBe(1);
    expect({ ...totals.rejected }).toEqual({ malformed: 1 });
    expect(totals.rejectedByProvider['__proto__']!['malformed']).toBe(1);
    expect({ ...totals.byTopic['lt']!.settled }).toEqual({ '0': '1', '1': '6' });
    expect(totals.newestReceivedAt).toEqual(at);
  });

  it('stores only token hashes and finds active tokens', async () => {
    const { token, record } = await store.tokens.issue('evaluator', { label: 'it' });
    expect(token).toMatch(/^sa_[A-Za-z0-9_-]{43}$/);
    expect(record.hash).not.toContain(token);
    expect((await store.tokens.findActive(token))?.role).toBe('evaluator');
    expect(await store.tokens.findActive(`${token}x`)).toBeNull();
    expect(await store.tokens.revokeByPrefix(record.prefix)).toBe(1);
    expect(await store.tokens.findActive(token)).toBeNull();
  });

  it('stores operator targets once per id, audits create and delete with who, when, before and after', async () => {
    const definition = {
      id: 'T_OP',
      kpi: 'qualified_firms',
      scope: 'zone:QL',
      baselineDate: '2024-12-31',
      target: { value: 80 },
      due: '2026-12-31',
      method: 'linear-v1',
    };
    const actor = { id: 'sa_AbCdE', label: '运营 ops' };
    expect(await store.targets.create('T_OP', definition, actor, new Date('2026-01-01T00:00:00Z'))).toBe(true);
    expect(await store.targets.create('T_OP', { ...definition, target: { value: 1 } }, actor)).toBe(false);
    expect((await store.targets.list()).map((t) => [t._id, t.definition, t.createdBy])).toEqual([['T_OP', definition, 'sa_AbCdE']]);
    expect(await store.targets.remove('T_OP', { id: 'sa_XyZ12' }, new Date('2026-01-02T00:00:00Z'))).toEqual(definition);
    expect(await store.targets.remove('T_OP', { id: 'sa_XyZ12' })).toBeNull();
    expect(await store.targets.list()).toEqual([]);
    const audit = await store.targets.audit();
    expect(audit.map((a) => [a.targetId, a.action, a.actor, a.actorLabel, a.at.toISOString(), a.before, a.after])).toEqual([
      ['T_OP', 'delete', 'sa_XyZ12', null, '2026-01-02T00:00:00.000Z', definition, null],
      ['T_OP', 'create', 'sa_AbCdE', '运营 ops', '2026-01-01T00:00:00.000Z', null, definition],
    ]);
    expect(await store.targets.audit({ targetId: 'OTHER' })).toEqual([]);
  });
});

describe('store through a connection that is cut mid-write (a killed database, a network fault)', () => {
  let cutter: ConnectionCutter;
  let conn: Connection;
  let store: Store;
  const countOf = (ids: string[]) => store.events.model.countDocuments({ id: { $in: ids } });
  beforeAll(async () => {
    const env = testEnv();
    const server = new URL(env.mongoUrl);
    cutter = await startConnectionCutter({ host: server.hostname, port: Number(server.port || 27017) });
    const relayed = new URL(env.mongoUrl);
    relayed.port = String(cutter.port);
    conn = await connectDatabase({ url: relayed.toString(), namespace: `${env.namespace}cut` });
    store = createStore(conn);
    await store.ensureIndexes();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
    await cutter.close();
  });

  it('an insert cut before the database saw it fails the chunk, and the retry stores it', async () => {
    const chunk = [event('cut-a-1', '70'), event('cut-a-2', '71')];
    const cut = cutter.cutNext('request', 'cut-a-1');
    // Not "inserted": the driver reports the cut as a bulk error with no write errors at all.
    await expect(store.events.insertMany(chunk)).rejects.toThrow();
    await cut;
    expect(await countOf(['cut-a-1', 'cut-a-2'])).toBe(0);
    expect(await store.events.insertMany(chunk)).toEqual(['inserted', 'inserted']);
    expect(await countOf(['cut-a-1', 'cut-a-2'])).toBe(2);
  });

  it('an insert whose answer was cut fails the chunk too, and the retry finds it re-delivered', async () => {
    const chunk = [event('cut-b-1', '80'), event('cut-b-2', '81')];
    const cut = cutter.cutNext('response', 'cut-b-1');
    await expect(store.events.insertMany(chunk)).rejects.toThrow();
    await cut;
    expect(await countOf(['cut-b-1', 'cut-b-2'])).toBe(2);
    expect(await new EventRepository(store.events.model).insertMany(chunk)).toEqual(['redelivered', 'redelivered']);
  });

  it('a ledger write whose answer was cut fails, and writing it again is refused as a conflict: the retry reloads', async () => {
    const v1 = await store.ledgers.write({ ...emptyLedger('cut-ledger', 0), settledTo: '10' });
    const cut = cutter.cutNext('response', 'cut-ledger');
    await expect(store.ledgers.write({ ...v1, settledTo: '20' })).rejects.toThrow();
    await cut;
    await expect(store.ledgers.write({ ...v1, settledTo: '20' })).rejects.toBeInstanceOf(LedgerConflict);
    expect(await store.ledgers.load('cut-ledger', 0)).toMatchObject({ settledTo: '20', version: 2 });
  });

  it('a disposition batch cut mid-write fails instead of passing as recorded', async () => {
    const row = (id: string) => ({
      _id: `c/0/${id}`,
      topic: 'c',
      disposition: 'accepted' as const,
      reason: null,
      source: 'urn:x',
      eventId: id,
      type: null,
      at: new Date(),
    });
    const cut = cutter.cutNext('request', 'cut-d-1');
    await expect(store.dispositions.record([row('cut-d-1'), row('cut-d-2')])).rejects.toThrow();
    await cut;
    const rowsOfC = async () => (await store.dispositions.list()).filter((r) => r.topic === 'c').map((r) => r._id);
    expect(await rowsOfC()).toEqual([]);
    await store.dispositions.record([row('cut-d-1'), row('cut-d-2')]);
    expect(await rowsOfC()).toEqual(['c/0/cut-d-1', 'c/0/cut-d-2']);
  });
});
