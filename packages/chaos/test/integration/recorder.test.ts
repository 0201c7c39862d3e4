// The database command recorder (packages/testkit) with the real driver (through mongoose, as the
// services use it) in front of the test stack's real database: every command arrives unchanged and
// is recorded as the driver sent it, a large insert split over many TCP chunks included, and the
// scan policy tells the lookups by key from the scans.
import { connectDatabase, type Connection } from '@siliconalley/db';
import { mongoTarget, scanViolations, startDatabaseRecorder, testEnv, type DatabaseRecorder, type RecordedCommand } from '@siliconalley/testkit';

jest.setTimeout(120000);

describe('database command recorder on the real database', () => {
  let recorder: DatabaseRecorder;
  let conn: Connection;
  let db: string;

  beforeAll(async () => {
    const env = testEnv();
    db = `siliconalley-${env.namespace}`;
    recorder = await startDatabaseRecorder(mongoTarget(env.mongoUrl));
    conn = await connectDatabase({ url: recorder.url(env.mongoUrl, 'recorder-probe'), namespace: env.namespace });
  });

  afterAll(async () => {
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
    await recorder?.close();
  });

  const ours = (since: number): RecordedCommand[] => recorder.commands.slice(since).filter((c) => c.collection === 'events' || c.collection === 'leases');

  it('records what the driver sends, attributed to the app, and the work is done through it', async () => {
    const events = conn.db!.collection<{ _id: string; type: string; blob?: string }>('events');
    const leases = conn.db!.collection<{ _id: string }>('leases');
    recorder.phase('work');
    const since = recorder.commands.length;
    // ~3 MB in one insert: far more than one TCP chunk.
    const docs = Array.from({ length: 300 }, (_, i) => ({ _id: `e${i}`, type: i % 2 ? 'odd' : 'even', blob: 'x'.repeat(10000) }));
    await events.insertMany(docs, { ordered: false });
    expect(await events.findOne({ _id: 'e7' })).toMatchObject({ type: 'odd' });
    expect(await events.find({ _id: { $in: ['e1', 'e2', 'missing'] } }).toArray()).toHaveLength(2);
    expect(
      await events
        .find({ type: 'odd' }, { projection: { blob: 0 } })
        .sort({ _id: -1 })
        .batchSize(20)
        .toArray(),
    ).toHaveLength(150);
    expect(await events.countDocuments({ type: 'even' })).toBe(150);
    expect(await events.estimatedDocumentCount()).toBe(300);
    expect(await events.aggregate([{ $group: { _id: '$type', n: { $sum: 1 } } }]).toArray()).toHaveLength(2);
    await events.updateOne({ _id: 'e1' }, { $set: { type: 'one' } });
    await events.updateMany({ type: 'even' }, { $set: { type: 'even2' } });
    await events.deleteOne({ _id: 'e3' });
    await leases.insertOne({ _id: 'l' });
    await leases.deleteMany({});
    expect(await events.countDocuments({ type: 'even2' })).toBe(150);

    const got = ours(since);
    expect(got.every((c) => c.app === 'recorder-probe' && c.phase === 'work' && c.db === db)).toBe(true);
    const brief = got.map((c) => [c.command, c.collection, c.filter ?? c.pipeline ?? c.documents ?? null, c.sort ?? null, c.limit ?? null]);
    expect(brief).toEqual(
      expect.arrayContaining([
        ['insert', 'events', 300, null, null],
        ['find', 'events', { _id: 'e7' }, null, 1],
        ['find', 'events', { _id: { $in: ['e1', 'e2', 'missing'] } }, null, null],
        ['find', 'events', { type: 'odd' }, { _id: -1 }, null],
        ['aggregate', 'events', [{ $match: { type: 'even' } }, { $group: { _id: 1, n: { $sum: 1 } } }], null, null],
        ['count', 'events', {}, null, null],
        ['aggregate', 'events', [{ $group: { _id: '$type', n: { $sum: 1 } } }], null, null],
        ['update', 'events', { _id: 'e1' }, null, null],
        ['update', 'events', { type: 'even' }, null, null],
        ['delete', 'events', { _id: 'e3' }, null, 1],
        ['insert', 'leases', 1, null, null],
        ['delete', 'leases', {}, null, 0],
      ]),
    );
    // 150 documents in batches of 20: the rest came by getMore on the same collection.
    expect(got.filter((c) => c.command === 'getMore' && c.collection === 'events').length).toBeGreaterThanOrEqual(7);
    expect(recorder.commands.filter((c) => c.command === 'unreadable' || c.command === 'compressed')).toEqual([]);

    const flagged = scanViolations(got).map((v) => [v.command.command, v.command.filter ?? v.command.pipeline ?? null]);
    expect(flagged).toEqual([
      ['find', { type: 'odd' }],
      ['aggregate', [{ $match: { type: 'even' } }, { $group: { _id: 1, n: { $sum: 1 } } }]],
      ['count', {}],
      ['aggregate', [{ $group: { _id: '$type', n: { $sum: 1 } } }]],
      ['update', { type: 'even' }],
      ['aggregate', [{ $match: { type: 'even2' } }, { $group: { _id: 1, n: { $sum: 1 } } }]],
    ]);
  });

  it('records the handshake of each connection with its app name', () => {
    const handshakes = recorder.commands.filter((c) => c.command === 'hello' || c.command === 'isMaster' || c.command === 'ismaster');
    expect(handshakes.length).toBeGreaterThan(0);
    expect(handshakes.every((c) => c.app === 'recorder-probe')).toBe(true);
  });
});
