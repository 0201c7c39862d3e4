// The HTTP target: a small simulation sent through the real gateway ingest route (batches for
// structured events, one request per binary-mode or unparseable record) to the real broker and
// ingestion. The gateway answers each rejection with the intended reason; what it forwards is
// accepted or found duplicate by ingestion exactly as intended.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseConfig } from '@siliconalley/config';
import { fullType, SHORT_TYPES, TOPICS } from '@siliconalley/contract';
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics } from '@siliconalley/devstack';
import { createMetricsRegistry, rejectedEventsCounter } from '@siliconalley/http';
import { DeadLetterProducer, type KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { createServer } from '@siliconalley/service-gateway/dist/server';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest, type RunningIngest } from '@siliconalley/service-ingest/dist/service';
import { createStore, type Store } from '@siliconalley/store';
import { testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { simulate, tally, type SimulatedRecord } from '../../src';
import { HttpPublisher } from '../../src/publish';

jest.setTimeout(600_000);

const CONTRACT_TYPES = new Set(SHORT_TYPES.map(fullType));

/** The type a record states, as the gateway reads it to route it (binary header, or the JSON). */
function statedType(record: SimulatedRecord): unknown {
  if (record.headers.ce_type !== undefined) return record.headers.ce_type;
  try {
    return (JSON.parse(record.value) as { type?: unknown }).type;
  } catch {
    return undefined;
  }
}

describe('a simulation of 100 firms through the gateway HTTP ingest route', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let conn: Connection;
  let store: Store;
  let server: Server;
  let ingest: RunningIngest;
  let records: SimulatedRecord[];
  let publisher: HttpPublisher;

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    store = createStore(conn);
    await store.ensureIndexes();
    await kafka.connectProducer();
    const registry = createMetricsRegistry('gateway-test');
    const app = createServer({
      logger: createLogger('gateway-test', 'silent'),
      registry,
      store,
      kafka,
      deadLetters: new DeadLetterProducer(kafka, kafka.topic(TOPICS.deadLetter)),
      rejected: rejectedEventsCounter(registry),
      indicatorUrls: ['http://127.0.0.1:9'],
      alertingUrl: 'http://127.0.0.1:9',
      maxBodyBytes: 5 * 1024 * 1024,
      rateLimitPerMinute: 100_000,
      corsOrigins: [],
      internalSecret: env.internalApiSecret,
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    ingest = await startIngest(
      parseConfig('ingest', ingestConfigSchema, {
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
      }),
    );
    const token = (await store.tokens.issue('provider', { types: [...SHORT_TYPES], label: 'simulator' })).token;
    // Up to 2024: one quarter of task reports, not nine (a binary-mode record is a request of its own).
    records = [...simulate({ firms: 100, from: '2015-01-01', to: '2024-12-31', seed: 5 })];
    publisher = new HttpPublisher(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, token);
    await publisher.publish(records);
  });

  afterAll(async () => {
    await ingest?.lifecycle.shutdown('test done');
    await new Promise((resolve) => server?.close(resolve));
    await kafka?.close();
    await conn?.dropDatabase();
    await conn?.close();
  });

  it('answers every broken record with its intended reason', () => {
    const intended = tally(records);
    expect(Object.keys(intended.rejected).length).toBeGreaterThanOrEqual(5);
    expect(publisher.answers.rejected).toEqual(intended.rejected);
    expect(publisher.answers.accepted + publisher.answers.duplicates).toBe(intended.accepted + intended.duplicates);
  });

  it('has ingestion accept and find duplicates exactly as intended, and reject what the gateway forwarded', async () => {
    const intended = tally(records);
    await waitUntil('ingestion to store every intended acceptance and duplicate', async () => {
      const counts = await store.ledgers.totals();
      return counts.accepted >= intended.accepted && counts.duplicates >= intended.duplicates;
    });
    // Unroutable records never reach a source topic: the gateway dead-letters or refuses them itself.
    // Routable ones, oversized included (up to what the broker takes), are dead-lettered and counted by ingestion.
    const forwardedRejections = records.filter((r) => r.intended === 'rejected' && CONTRACT_TYPES.has(statedType(r) as string));
    await waitUntil(
      'every forwarded rejection',
      async () => Object.values((await store.ledgers.totals()).rejected).reduce((a: number, b: number) => a + b, 0) >= forwardedRejections.length,
    );
    const counts = await store.ledgers.totals();
    expect(counts.accepted).toBe(intended.accepted);
    expect(counts.duplicates).toBe(intended.duplicates);
    const byReason: Record<string, number> = {};
    for (const r of forwardedRejections) byReason[r.reason!] = (byReason[r.reason!] ?? 0) + 1;
    expect({ ...counts.rejected }).toEqual(byReason);
  });
});
