// Reads that may scan a collection carry a server-side time limit, so that work a client abandons
// (a socket timeout, a killed instance) stops on the server instead of piling up. Against the real
// FerretDB (or MongoDB when MONGO_URL points at one) started by `npm test`.
import { connectDatabase, databaseUrl, mongoose, READ_TIME_LIMIT_MS, type Connection } from '@siliconalley/db';
import { testEnv } from '@siliconalley/testkit';
import { createStore, EventRepository, ONE_BY_ONE_LOOKUPS, type Store, type StoredDisposition } from '../../src';
import { storedEvent, TEST_TOPIC } from '../stored-event';

const TOPIC = TEST_TOPIC;
const event = storedEvent;

interface ReadCommand {
  name: string;
  maxTimeMS: unknown;
}

describe('server-side time limits of scanning reads', () => {
  const env = testEnv();
  let conn: Connection;
  let store: Store;
  const reads: ReadCommand[] = [];

  beforeAll(async () => {
    // The store on a connection that reports every command it sends (the services' own connection
    // does not; the store is the same code either way).
    conn = mongoose.createConnection(databaseUrl(env.mongoUrl, `${env.namespace}tl`), { monitorCommands: true, autoIndex: false, autoCreate: false });
    await conn.asPromise();
    conn.getClient().on('commandStarted', (e) => {
      if (['find', 'aggregate', 'count'].includes(e.commandName)) reads.push({ name: e.commandName, maxTimeMS: e.command.maxTimeMS });
    });
    store = createStore(conn);
    await store.ensureIndexes();
    await store.events.insertMany(Array.from({ length: 40 }, (_, i) => event(`t-${i}`, i)));
    const dispositions: StoredDisposition[] = [
      { _id: `${TOPIC}/0/100`, topic: TOPIC, disposition: 'rejected', reason: 'malformed', source: null, eventId: null, type: null, at: new Date() },
    ];
    await store.dispositions.record(dispositions);
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const readsOf = async (call: () => Promise<unknown>): Promise<ReadCommand[]> => {
    reads.length = 0;
    await call();
    return [...reads];
  };

  it.each<[string, (s: Store) => Promise<unknown>]>([
    ["one partition's ingest ledger", (s) => s.ledgers.load(TOPIC, 0)],
    ['every ingest ledger (pipeline view, assessment cut-off)', (s) => s.ledgers.totals()],
    // A fresh instance (after a crash) looks the origins of re-delivered events up: a few one by one…
    ['a few re-delivered events', () => new EventRepository(store.events.model).insertMany([event('t-1', 1), event('t-2', 2)])],
    // …many with one `$in`.
    [
      'a re-delivered chunk',
      () => new EventRepository(store.events.model).insertMany(Array.from({ length: ONE_BY_ONE_LOOKUPS + 5 }, (_, i) => event(`t-${i}`, i))),
    ],
  ])('%s is limited on the server', async (_what, call) => {
    const sent = await readsOf(() => call(store));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).toEqual(sent.map((r) => ({ name: r.name, maxTimeMS: READ_TIME_LIMIT_MS })));
  });

  it('a refused event that no earlier attempt can have stored is settled without any read', async () => {
    const sent = await readsOf(() => new EventRepository(store.events.model).insertMany([event('t-1', 900), event('t-new', 901)], () => false));
    expect(sent).toEqual([]);
  });

  it('the database stops a scan at its limit, so the limit bounds work nobody waits for', async () => {
    const scratch = conn.db!.collection('time_limit_scratch');
    await scratch.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ n: i, pad: 'x'.repeat(200) })));
    await expect(scratch.find({ n: -1 }, { maxTimeMS: 1 }).toArray()).rejects.toMatchObject({ code: 50 }); // MaxTimeMSExpired
    // Unhurried, the same scan answers.
    expect(await scratch.find({ n: -1 }, { maxTimeMS: READ_TIME_LIMIT_MS }).toArray()).toEqual([]);
  });

  it("the services' connection never gives up on a read before the server's limit does", async () => {
    const services = await connectDatabase({ url: env.mongoUrl, namespace: `${env.namespace}tl` });
    try {
      expect(services.getClient().options.socketTimeoutMS).toBeGreaterThan(READ_TIME_LIMIT_MS);
    } finally {
      await services.close();
    }
  });
});
