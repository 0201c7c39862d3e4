// Replays shared/fixtures/small into the real broker and runs the real ingestion (all three streams)
// against the real database: the dispositions must equal the fixture's, record for record.
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics, positionsOfPublished, publishRecords } from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { createStore, type Store } from '@siliconalley/store';
import { loadDispositions, loadExpected, loadFixtureRecords, promtoolCheckMetrics, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { parseConfig } from '@siliconalley/config';
import { ingestConfigSchema } from '../../src/config';
import { startIngest, type RunningIngest } from '../../src/service';

jest.setTimeout(180000);
const records = loadFixtureRecords('small');
const expected = loadExpected('small');

describe('ingestion of the small fixture through the real broker and database', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let conn: Connection;
  let store: Store;
  let ingest: RunningIngest;

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
    await publishRecords(kafka, records, env.namespace);
  });

  afterAll(async () => {
    await ingest?.lifecycle.shutdown('test done');
    await kafka?.close();
    await conn?.dropDatabase();
    await conn?.close();
  });

  it('accounts for every record: accepted + duplicates + rejected = records, with the fixture counts', async () => {
    await waitUntil('every record to get a disposition', async () => (await store.dispositions.list()).length >= records.length);
    const counts = await store.ledgers.totals();
    const rejectedTotal = Object.values(counts.rejected).reduce((a: number, b: number) => a + b, 0);
    expect(counts.accepted + counts.duplicates + rejectedTotal).toBe(records.length);
    expect(counts.rejected).toEqual(expected.rejected);
    expect(counts.duplicates).toBe(expected.duplicates);
    expect(await store.events.model.countDocuments()).toBe(counts.accepted);
  });

  it('gives each record the disposition and reason of dispositions.jsonl, and dead-letters every rejection', async () => {
    const lineOfPosition = await positionsOfPublished(kafka, records);
    const dispositions = loadDispositions('small');
    const rows = await store.dispositions.list();
    const mismatches: string[] = [];
    for (const row of rows) {
      const line = lineOfPosition.get(row._id);
      if (line === undefined) {
        mismatches.push(`${row._id}: no fixture line`);
        continue;
      }
      const want = dispositions[line]!;
      if (want.disposition !== row.disposition || (want.reason ?? null) !== row.reason) {
        mismatches.push(`line ${line + 1}: want ${want.disposition}/${want.reason}, got ${row.disposition}/${row.reason}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(rows).toHaveLength(records.length);
    const dlqTopic = kafka.topic('siliconalley.deadletter.v1');
    const dlqCount = Object.values((await kafka.partitionEnds([dlqTopic]))[dlqTopic] ?? {}).reduce((n, end) => n + Number(end), 0);
    expect(dlqCount).toBe(Object.values(expected.rejected).reduce((a: number, b: number) => a + b, 0));
  });

  it('exports metrics that promtool accepts, with the fixed names and the fixture counts', async () => {
    const text = await (await fetch(`http://127.0.0.1:${ingest.opsPort}/metrics`)).text();
    expect(promtoolCheckMetrics(text)).toEqual([]);
    expect(text).toContain(`siliconalley_events_duplicate_total{service="ingest"} ${expected.duplicates}`);
    for (const [reason, n] of Object.entries(expected.rejected)) {
      expect(text).toContain(`siliconalley_events_rejected_total{reason="${reason}",service="ingest"} ${n}`);
    }
    expect(text).toMatch(/siliconalley_ingest_chunk_duration_seconds_bucket/);
    expect(text).toMatch(/siliconalley_events_accepted_total\{type="enterprise.registered",service="ingest"\} \d+/);
  });
});
