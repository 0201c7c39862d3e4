// Scale-out: three indicator instances in one consumer group, each holding its partitions' firms,
// merged by the gateway, give the numbers of one instance holding everything (and of the fixture);
// and the reads that replace event-store scans (task reports, applied offsets, changes, data
// quality), merged by the IndicatorClient, equal one instance's and what the event store holds.
import request from 'supertest';
import { ChangeGroupSum, IndicatorClient } from '@siliconalley/api';
import { CERTIFICATE_FIRM_EVENT_TYPES, CertificatesWithoutFirm } from '@siliconalley/assessments';
import { parseConfig } from '@siliconalley/config';
import { TOPICS, type TaskProgressReported } from '@siliconalley/contract';
import { compareTimeThenId } from '@siliconalley/kpi-engine';
import { ACCEPTED_TOPIC_PARTITIONS, createTestTopics, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import { createMetricsRegistry, rejectedEventsCounter } from '@siliconalley/http';
import { DeadLetterProducer, type KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createStore } from '@siliconalley/store';
import { loadExpected, loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { createServer as createGateway } from '@siliconalley/service-gateway/dist/server';
import { indicatorConfigSchema } from '../../src/config';
import { startIndicator, type RunningIndicator } from '../../src/service';

jest.setTimeout(300000);

const records = loadFixtureRecords('small');
const expected = loadExpected('small');
const dates = Object.keys(expected.asOf);

describe('indicator scale-out by partitions', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let conn: Connection;
  const stops: (() => Promise<void>)[] = [];
  const indicators: RunningIndicator[] = [];

  const startOne = async () => {
    const i = await startIndicator(
      parseConfig('indicator', indicatorConfigSchema, {
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        KAFKA_SESSION_TIMEOUT_MS: '10000',
        INTERNAL_API_SECRET: env.internalApiSecret,
      }),
    );
    indicators.push(i);
    stops.push(() => i.lifecycle.shutdown('test done'));
    return i;
  };

  const gateway = async (instances: RunningIndicator[]) => {
    const store = createStore(conn);
    const registry = createMetricsRegistry('gw');
    const app = createGateway({
      logger: createLogger('gw', 'silent'),
      registry,
      store,
      kafka,
      deadLetters: new DeadLetterProducer(kafka, kafka.topic(TOPICS.deadLetter)),
      rejected: rejectedEventsCounter(registry),
      indicatorUrls: instances.map((i) => `http://127.0.0.1:${i.apiPort}`),
      alertingUrl: 'http://127.0.0.1:9', // not used by this test
      internalSecret: env.internalApiSecret,
      maxBodyBytes: 1 << 20,
      rateLimitPerMinute: 100000,
      corsOrigins: [],
    });
    const { token } = await store.tokens.issue('evaluator');
    return async (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`);
  };

  const settled = async (instances: RunningIndicator[]) => {
    await waitUntil('every partition replayed by exactly one ready instance, nothing in flight', async () => {
      const owned = instances.flatMap((i) => i.ownedPartitions());
      if (!instances.every((i) => i.isReady()) || owned.length !== ACCEPTED_TOPIC_PARTITIONS || new Set(owned).size !== ACCEPTED_TOPIC_PARTITIONS) return false;
      return pipelineDrained(kafka);
    });
  };

  const snapshot = async (get: (path: string) => Promise<request.Response>) => {
    const out: Record<string, unknown> = {};
    for (const asOf of dates) {
      const res = await get(`/api/v1/kpis?asOf=${asOf}`);
      expect(res.status).toBe(200);
      out[asOf] = res.body.kpis;
    }
    const series = await get('/api/v1/kpis/series?id=zone_share&scope=zone:QL&from=2023-12-31&to=2026-10-31');
    expect(series.status).toBe(200);
    out.series = series.body.points;
    const explain = await get('/api/v1/kpis/explain?id=qualified_firms&scope=zone:QL&asOf=2025-12-31');
    expect(explain.status).toBe(200);
    out.explain = explain.body.firms.map((f: { uscc: string }) => f.uscc);
    return out;
  };

  /** The IndicatorClient reads alerting and the gateway use instead of scanning the event store. */
  const partialReads = async (instances: RunningIndicator[]) => {
    const client = new IndicatorClient(
      instances.map((i) => `http://127.0.0.1:${i.apiPort}`),
      { secret: env.internalApiSecret },
    );
    const applied = await client.applied();
    return {
      applied,
      tasks: await client.taskReports(),
      changes: await client.changesSince({}),
      changesSinceApplied: await client.changesSince(applied.offsets),
      certificates: await client.certificatesWithoutFirm(dates),
    };
  };

  /** The same, from the event store and the topic (independent of the indicator). */
  const fromStoreAndTopic = async () => {
    const tasks: TaskProgressReported[] = [];
    const changes = new ChangeGroupSum();
    const certificates = new CertificatesWithoutFirm();
    const certificateTypes = new Set<string>(CERTIFICATE_FIRM_EVENT_TYPES);
    for await (const e of createStore(conn).events.streamAll()) {
      changes.addEvent(e);
      if (e.type === 'task.progress.reported') tasks.push(e);
      else if (certificateTypes.has(e.type)) certificates.add(e);
    }
    const ends = (await kafka.partitionEnds([kafka.topic(TOPICS.accepted)]))[kafka.topic(TOPICS.accepted)] ?? {};
    return {
      applied: { ready: true, offsets: { ...ends } },
      tasks: tasks.sort(compareTimeThenId),
      changes: changes.result(),
      changesSinceApplied: { minEffectiveDate: null, groups: [] },
      certificates: Object.fromEntries(dates.map((d) => [d, certificates.countOn(d)])),
    };
  };

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    const ingest = await startIngest(
      parseConfig('ingest', ingestConfigSchema, {
        KAFKA_BROKERS: env.brokers.join(','),
        MONGO_URL: env.mongoUrl,
        SA_NAMESPACE: env.namespace,
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
      }),
    );
    stops.push(() => ingest.lifecycle.shutdown('test done'));
    await publishRecords(kafka, records, env.namespace);
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await kafka?.close();
    await conn?.dropDatabase();
    await conn?.close();
  });

  it('three instances merged equal one instance, and the fixture', async () => {
    const first = await startOne();
    await settled([first]);
    const one = await snapshot(await gateway([first]));
    const readsAlone = await partialReads([first]);
    const firmsHeldAlone = first.state.firmCount;

    await startOne();
    await startOne();
    await settled(indicators);
    // The accepted topic's partitions shared evenly.
    expect(indicators.map((i) => i.ownedPartitions().length)).toEqual([4, 4, 4]);
    // The first instance gave two partitions away and dropped their firms.
    expect(first.state.firmCount).toBeLessThan(firmsHeldAlone);
    expect(indicators.reduce((n, i) => n + i.state.firmCount, 0)).toBe(firmsHeldAlone);
    const three = await snapshot(await gateway(indicators));
    expect(three).toEqual(one);
    const reads = await partialReads(indicators);
    expect(reads).toEqual(readsAlone);
    expect(reads).toEqual(await fromStoreAndTopic());
    expect(reads.tasks.length).toBeGreaterThan(0);
    expect(reads.changes.groups.length).toBeGreaterThan(0);

    for (const asOf of dates) {
      const got = new Map(
        (three[asOf] as { id: string; scope: string; kind?: string; industry?: string; within?: number; value: number | null }[]).map((e) => [
          JSON.stringify([e.id, e.scope, e.kind, e.industry, e.within]),
          e.value,
        ]),
      );
      for (const e of expected.asOf[asOf]!) {
        const v = got.get(JSON.stringify([e.id, e.scope, e.kind, e.industry, e.within]));
        if (typeof e.value === 'number' && typeof v === 'number') expect(Math.abs(v - e.value)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e.value)));
        else expect(v).toBe(e.value);
      }
    }
  });
});
