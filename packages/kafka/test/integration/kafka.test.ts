// Against the real broker started by `npm test` (Kafka in KRaft mode): kafkajs 2.2.4 through our adapter.
import { testEnv, type TestEnv } from '@siliconalley/testkit';
import { createLogger } from '@siliconalley/logger';
import { DLQ_HEADERS, DeadLetterProducer, KafkaClient, type InboundRecord } from '../../src';

const TOPIC = 'siliconalley.enterprise.v1';
const DLQ = 'siliconalley.deadletter.v1';

describe('KafkaClient against the real broker', () => {
  let env: TestEnv;
  let client: KafkaClient;

  beforeAll(async () => {
    env = testEnv();
    client = new KafkaClient({ brokers: env.brokers, clientId: 'it', logger: createLogger('test', 'warn'), namespace: env.namespace });
    await client.ensureTopics([TOPIC, DLQ].map((t) => ({ topic: client.topic(t), partitions: 3 })));
  });
  afterAll(async () => {
    await client.close();
  });

  it('produces with acks=all, consumes in a group with manual commits, and resumes from the commit', async () => {
    const topic = client.topic(TOPIC);
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `firm-${i % 7}`, value: `v${i}`, headers: { 'content-type': 'application/json' } }));
    await client.send(topic, records);

    const groupId = client.group('it-group');
    const seen: InboundRecord[] = [];
    const done = new Promise<void>((resolve) => {
      void client.consume({
        groupId,
        topics: [topic],
        chunkSize: 4,
        handleChunk: async (chunk) => {
          seen.push(...chunk);
          if (seen.length >= 30) resolve();
        },
      });
    });
    await done;
    expect(seen.map((r) => r.value?.toString()).sort()).toEqual(records.map((r) => r.value).sort());
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    // Same key, same partition: per-firm order is kept.
    const partitionsOfKey = new Set(seen.filter((r) => r.key === 'firm-3').map((r) => r.partition));
    expect(partitionsOfKey.size).toBe(1);
    await client.close();

    // Committed offsets cover everything: a new member of the group sees nothing old, only what comes next.
    const again = new KafkaClient({ brokers: env.brokers, clientId: 'it-2', logger: createLogger('test', 'warn'), namespace: env.namespace });
    expect(await again.consumerLag(groupId, [topic])).toEqual({ [topic]: 0 });
    const later: string[] = [];
    const next = new Promise<void>((resolve) => {
      void again.consume({
        groupId,
        topics: [topic],
        handleChunk: async (chunk) => {
          later.push(...chunk.map((r) => r.value!.toString()));
          resolve();
        },
      });
    });
    await again.send(topic, [{ key: 'firm-1', value: 'after-restart' }]);
    await next;
    expect(later).toEqual(['after-restart']);
    await again.close();
    client = new KafkaClient({ brokers: env.brokers, clientId: 'it-3', logger: createLogger('test', 'warn'), namespace: env.namespace });
  });

  it('writes a dead letter with the original key, headers and value plus the reason and origin', async () => {
    const dlqTopic = client.topic(DLQ);
    const dlq = new DeadLetterProducer(client, dlqTopic);
    await dlq.send([
      {
        record: { key: '91110101MA01ABCD5M', headers: { 'content-type': 'application/cloudevents+json' }, value: Buffer.from('{not json') },
        origin: { topic: 'siliconalley.enterprise.v1', partition: 2, offset: '41' },
        reason: 'malformed',
        message: 'the record value is not JSON: send a CloudEvent as a JSON object',
      },
    ]);
    const got = await new Promise<InboundRecord>((resolve) => {
      void client.consume({ groupId: client.group('it-dlq'), topics: [dlqTopic], handleChunk: async (chunk) => resolve(chunk[0]!) });
    });
    expect(got.key).toBe('91110101MA01ABCD5M');
    expect(got.value?.toString()).toBe('{not json');
    expect(got.headers['content-type']).toBe('application/cloudevents+json');
    expect(got.headers[DLQ_HEADERS.reason]).toBe('malformed');
    expect(got.headers[DLQ_HEADERS.topic]).toBe('siliconalley.enterprise.v1');
    expect(got.headers[DLQ_HEADERS.partition]).toBe('2');
    expect(got.headers[DLQ_HEADERS.offset]).toBe('41');
    expect(got.headers[DLQ_HEADERS.message]).toMatch(/send a CloudEvent/);
  });

  it('answers readiness pings, and not when the broker is unreachable', async () => {
    expect(await client.ping()).toBe(true);
    const nowhere = new KafkaClient({ brokers: ['127.0.0.1:1'], clientId: 'it-nowhere', logger: createLogger('test', 'silent') });
    expect(await nowhere.ping()).toBe(false);
  });
});
