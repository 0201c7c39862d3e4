// A small simulation published to the real test broker in its own namespace, ingested by the real
// ingestion service against the real database: ingestion's dispositions (accepted, duplicates,
// rejected by reason) are the simulator's intended ones, in total and record by record.
import { parseConfig } from '@siliconalley/config';
import { chinaDateOf } from '@siliconalley/contract';
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics, positionsOfPublished } from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest, type RunningIngest } from '@siliconalley/service-ingest/dist/service';
import { createStore, type Store } from '@siliconalley/store';
import { testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { simulate, tally, type SimulatedRecord } from '../../src';
import { KafkaPublisher } from '../../src/publish';

jest.setTimeout(300_000);

describe('a simulation of 300 firms through the real broker, ingestion and database', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let conn: Connection;
  let store: Store;
  let ingest: RunningIngest;
  let records: SimulatedRecord[];

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    store = createStore(conn);
    ingest = await startIngest(
      parseConfig('ingest', ingestConfigSchema, {
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
      }),
    );
    // Up to today (China time): the records arrive now, so none valid is future-dated.
    records = [...simulate({ firms: 300, from: '2015-01-01', to: chinaDateOf(new Date()), seed: 20261126 })];
    await new KafkaPublisher(kafka, env.namespace).publish(records);
  });

  afterAll(async () => {
    await ingest?.lifecycle.shutdown('test done');
    await kafka?.close();
    await conn?.dropDatabase();
    await conn?.close();
  });

  it('counts accepted, duplicates and rejections by reason exactly as the simulator intended', async () => {
    await waitUntil('every simulated record to get a disposition', async () => (await store.dispositions.list()).length >= records.length);
    const intended = tally(records);
    const counts = await store.ledgers.totals();
    expect(Object.keys(intended.rejected).length).toBeGreaterThanOrEqual(5);
    expect({ accepted: counts.accepted, duplicates: counts.duplicates, rejected: { ...counts.rejected } }).toEqual({
      accepted: intended.accepted,
      duplicates: intended.duplicates,
      rejected: intended.rejected,
    });
    expect(await store.events.model.countDocuments()).toBe(intended.accepted);
  });

  it('gives each record its intended disposition and reason', async () => {
    const lineOfPosition = await positionsOfPublished(kafka, records);
    const rows = await store.dispositions.list();
    const mismatches: string[] = [];
    for (const row of rows) {
      const line = lineOfPosition.get(row._id);
      const want = line === undefined ? undefined : records[line];
      if (!want) mismatches.push(`${row._id}: not a simulated record`);
      else if (want.intended !== row.disposition || want.reason !== row.reason) {
        mismatches.push(`record ${line}: intended ${want.intended}/${want.reason}, ingested ${row.disposition}/${row.reason}: ${want.value.slice(0, 160)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(rows).toHaveLength(records.length);
  });
});
