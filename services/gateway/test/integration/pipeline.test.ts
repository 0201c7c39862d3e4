// GET /api/v1/pipeline with the real ingestion behind the door, deployed per concern (one instance
// for enterprise events, one for certification and task events, as INGEST_STREAMS allows): events
// sent over HTTP are ingested, and the provider sees its backfill finish (source lag 0) with the
// right counts — whatever other namespaces' consumer groups are doing on the same broker.
import request from 'supertest';
import type { Express } from 'express';
import { parseConfig } from '@siliconalley/config';
import { TOPICS } from '@siliconalley/contract';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest, type RunningIngest } from '@siliconalley/service-ingest/dist/service';
import { syntheticUscc } from '@siliconalley/testkit';
import { bearer, granted, openStack, registered, startUpstream, storedEvent, type Stack, type Upstream } from './harness';

jest.setTimeout(180000);

let stack: Stack;
let app: Express;
const ingests: RunningIngest[] = [];
let upstream: Upstream;

beforeAll(async () => {
  stack = await openStack();
  // Plays an indicator that has applied nothing yet (the real one is tested in services/indicator).
  upstream = await startUpstream(stack.env.internalApiSecret);
  app = stack.app({ indicatorUrls: [upstream.url] });
  for (const streams of ['enterprise', 'certification,task']) {
    ingests.push(
      await startIngest(
        parseConfig('ingest', ingestConfigSchema, {
          KAFKA_BROKERS: stack.env.brokers.join(','),
          MONGO_URL: stack.env.mongoUrl,
          SA_NAMESPACE: stack.env.namespace,
          INGEST_STREAMS: streams,
          OPS_PORT: '0',
          LOG_LEVEL: 'warn',
        }),
      ),
    );
  }
});

afterAll(async () => {
  for (const ingest of ingests) await ingest.lifecycle.shutdown('test done');
  await upstream?.close();
  await stack?.close();
});

interface Pipeline {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  lag: number;
  topics: { topic: string; lag: number; accepted: number; duplicates: number; rejected: number; lastEventTime: string | null }[];
  indicator: { topic: string; lag: number; ready: boolean };
}

async function pipelineUntil(ok: (p: Pipeline) => boolean, token: string, timeoutMs = 120000): Promise<Pipeline> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(app).get('/api/v1/pipeline').set('Authorization', bearer(token)).expect(200);
    const body = res.body as Pipeline;
    if (ok(body)) return body;
    if (Date.now() > deadline) throw new Error(`timed out; last pipeline: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

it('shows events sent over HTTP ingested by split deployments: source lag 0 and exact counts per topic', async () => {
  const samr = (await stack.store.tokens.issue('provider', { types: ['enterprise.registered'] })).token;
  const stc = (await stack.store.tokens.issue('provider', { types: ['certification.granted'] })).token;
  const evaluator = (await stack.store.tokens.issue('evaluator')).token;

  const known = registered(201);
  await stack.store.events.insertMany([storedEvent(known)]);
  const badUscc = registered(203, { subject: syntheticUscc(204) });
  const batch = [registered(200, { time: '2021-05-10T09:00:00Z' }), registered(202), known, badUscc];
  const sent = await request(app)
    .post('/api/v1/events')
    .set('Authorization', bearer(samr))
    .set('Content-Type', 'application/cloudevents-batch+json')
    .send(JSON.stringify(batch))
    .expect(200);
  // The stored one is queued like the others: ingestion, not the gateway, finds it a duplicate.
  expect(sent.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
  await request(app)
    .post('/api/v1/events')
    .set('Authorization', bearer(stc))
    .set('Content-Type', 'application/cloudevents+json')
    .send(JSON.stringify(granted(200)))
    .expect(202);

  const done = await pipelineUntil(
    (p) => p.accepted + p.duplicates + Object.values(p.rejected).reduce((a, b) => a + b, 0) >= 5 && p.topics.every((t) => t.lag === 0),
    evaluator,
  );
  expect(done).toMatchObject({ accepted: 3, duplicates: 1, rejected: { subject_mismatch: 1 } });
  expect(done.topics).toEqual([
    // 09:00Z is the latest of the accepted enterprise events (the others are 09:00+08:00).
    { topic: stack.kafka.topic(TOPICS.enterprise), lag: 0, accepted: 2, duplicates: 1, rejected: 1, lastEventTime: '2021-05-10T09:00:00Z' },
    { topic: stack.kafka.topic(TOPICS.certification), lag: 0, accepted: 1, duplicates: 0, rejected: 0, lastEventTime: '2023-12-12T10:00:00+08:00' },
    { topic: stack.kafka.topic(TOPICS.task), lag: 0, accepted: 0, duplicates: 0, rejected: 0, lastEventTime: null },
  ]);
  // The indicator has applied nothing: every accepted event is still in flight.
  expect(done.indicator).toEqual({ topic: stack.kafka.topic(TOPICS.accepted), lag: 3, ready: true });
  expect(done.lag).toBe(3);
});
