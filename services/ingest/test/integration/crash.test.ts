// SIGKILL an ingestion process in the middle of the fixture replay, twice, and restart it: the final
// stored state must be what an uninterrupted run stores (the fixture's dispositions, record for record;
// every accepted event once). Offsets are committed only after the durable writes, so a kill
// re-delivers the chunk in flight, and re-delivery changes nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics, positionsOfPublished, publishRecords } from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { createStore, type Store } from '@siliconalley/store';
import { loadDispositions, loadExpected, loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';

jest.setTimeout(300000);

const records = loadFixtureRecords('small');
const expected = loadExpected('small');
const entry = join(__dirname, '../../dist/index.js');

describe('ingestion killed with SIGKILL mid-replay', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let conn: Connection;
  let store: Store;
  let child: ChildProcess | null = null;

  const startProcess = () => {
    child = spawn(process.execPath, [entry], {
      env: {
        ...process.env,
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
        // Small chunks: many commit points, so the kills land between and inside them.
        INGEST_CHUNK_SIZE: '40',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  };
  const kill = async () => {
    const c = child!;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    child = null;
  };
  const processed = async () => (await store.dispositions.list()).length;

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    store = createStore(conn);
    await store.ensureIndexes();
    await publishRecords(kafka, records, env.namespace);
  });

  afterAll(async () => {
    if (child) await kill();
    await kafka?.close();
    await conn?.dropDatabase();
    await conn?.close();
  });

  it('ends with exactly the state of an uninterrupted run', async () => {
    startProcess();
    await waitUntil('a third of the records', async () => (await processed()) >= records.length / 3);
    await kill();
    const afterFirstKill = await processed();
    startProcess();
    await waitUntil('two thirds of the records', async () => (await processed()) >= (2 * records.length) / 3);
    await kill();
    expect(afterFirstKill).toBeLessThan(records.length);
    startProcess();
    await waitUntil('every record', async () => (await processed()) >= records.length);

    const counts = await store.ledgers.totals();
    expect(counts.rejected).toEqual(expected.rejected);
    expect(counts.duplicates).toBe(expected.duplicates);
    expect(counts.accepted + counts.duplicates + Object.values(counts.rejected).reduce((a: number, b: number) => a + b, 0)).toBe(records.length);
    expect(await store.events.model.countDocuments()).toBe(counts.accepted);

    const lineOfPosition = await positionsOfPublished(kafka, records);
    const dispositions = loadDispositions('small');
    const mismatches = (await store.dispositions.list()).filter((row) => {
      const want = dispositions[lineOfPosition.get(row._id) ?? -1];
      return !want || want.disposition !== row.disposition || (want.reason ?? null) !== row.reason;
    });
    expect(mismatches).toEqual([]);
  });
});
