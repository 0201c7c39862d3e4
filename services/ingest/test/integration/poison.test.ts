// A record that crashes the pipeline on its own (its storage throws, through the store's test-only
// fault hook) goes to the dead-letter topic as `processing_failed` and is recorded as rejected,
// instead of being re-delivered forever: the records after it on its partition are ingested, the
// group's lag drains to 0, and everything else gets the disposition an undisturbed run gives it.
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics, publishRecords } from '@siliconalley/devstack';
import { parseConfig } from '@siliconalley/config';
import { eventIdentity, SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { CONSUMER_GROUPS, DLQ_HEADERS, type InboundRecord, type KafkaClient } from '@siliconalley/kafka';
import { STORAGE_FAULT_ENV as FAULT_ENV } from '@siliconalley/config';
import { createStore, type Store } from '@siliconalley/store';
import { loadDispositions, loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '../../src/config';
import { PROCESSING_FAILED } from '../../src/poison';
import { startIngest, type RunningIngest } from '../../src/service';

jest.setTimeout(180000);

const fixture = loadFixtureRecords('small');
const dispositions = loadDispositions('small');

describe('a poison record', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let conn: Connection;
  let store: Store;
  let ingest: RunningIngest | null = null;
  const marker = `poison-${Date.now()}`;

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    store = createStore(conn);
    await store.ensureIndexes();
    process.env[FAULT_ENV] = marker;
  });

  afterAll(async () => {
    delete process.env[FAULT_ENV];
    await ingest?.lifecycle.shutdown('test done');
    await kafka?.close();
    await conn?.dropDatabase();
    await conn?.close();
  });

  it('is dead-lettered as processing_failed, and its partition goes on', async () => {
    // A valid registration (a copy of an accepted one with a new id), between ordinary records of the same firm.
    const index = fixture.findIndex(
      (r, i) => dispositions[i]!.disposition === 'accepted' && r.value.startsWith('{') && r.value.includes('.enterprise.registered.v1'),
    );
    const template = fixture[index]!;
    const value = JSON.parse(template.value) as { id: string };
    const poison = { ...template, value: JSON.stringify({ ...value, id: `${marker}-${value.id}` }) };
    const records = [...fixture.slice(0, 300), poison, ...fixture.slice(300, 600)];
    await publishRecords(kafka, records, env.namespace);
    ingest = await startIngest(
      parseConfig('ingest', ingestConfigSchema, {
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        INGEST_CHUNK_SIZE: '50',
      }),
    );
    const group = kafka.group(CONSUMER_GROUPS.ingest(['certification', 'enterprise', 'task']));
    await waitUntil('every record ingested and committed', async () => {
      const lag = await kafka.consumerLag(
        group,
        SOURCE_TOPICS.map((t) => kafka.topic(t)),
      );
      return Object.keys(lag).length === SOURCE_TOPICS.length && Object.values(lag).every((n) => n === 0);
    });

    const rows = (await store.dispositions.list()).filter((r) => r.eventId === `${marker}-${value.id}`);
    expect(rows.map((r) => [r.disposition, r.reason])).toEqual([['rejected', PROCESSING_FAILED]]);
    expect(await store.events.model.exists({ _id: eventIdentity({ source: JSON.parse(poison.value).source, id: `${marker}-${value.id}` }) })).toBeNull();
    const counts = await store.ledgers.totals();
    const want = dispositions.slice(0, 600);
    expect(counts.accepted).toBe(want.filter((d) => d.disposition === 'accepted').length);
    expect(counts.duplicates).toBe(want.filter((d) => d.disposition === 'duplicate').length);
    expect(counts.rejected[PROCESSING_FAILED]).toBe(1);
    expect(Object.values(counts.rejected).reduce((a: number, b: number) => a + b, 0)).toBe(want.filter((d) => d.disposition === 'rejected').length + 1);

    // The dead-letter topic holds it with its reason and where it came from.
    const letters: InboundRecord[] = [];
    const consumer = await kafka.consume({
      groupId: kafka.group(`dlq-readback-${Date.now()}`),
      topics: [kafka.topic(TOPICS.deadLetter)],
      handleChunk: async (chunk) => void letters.push(...chunk),
    });
    try {
      await waitUntil('the poison record in the dead-letter topic', async () => letters.some((l) => l.headers[DLQ_HEADERS.reason] === PROCESSING_FAILED));
    } finally {
      await consumer.stop();
    }
    const letter = letters.find((l) => l.headers[DLQ_HEADERS.reason] === PROCESSING_FAILED)!;
    expect(letter.value?.toString('utf8')).toBe(poison.value);
    expect(letter.headers[DLQ_HEADERS.message]).toMatch(/injected storage fault/);
    expect(letter.headers[DLQ_HEADERS.topic]).toBe(kafka.topic(poison.topic));
  });
});
