// No false flags, on real components: the alerting service runs from the first second, before the
// fixture is ingested, while ingestion works through it, and while the indicator is restarted and
// replays. Its /metrics is sampled all along; every flag series it ever exports, and every flag
// change it ever publishes on the alert topic, must equal the caught-up answer at the end.
import request from 'supertest';
import { parseConfig } from '@siliconalley/config';
import { TOPICS } from '@siliconalley/contract';
import { createTestTopics, freePort, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import type { InboundRecord, KafkaClient } from '@siliconalley/kafka';
import { loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator, type RunningIndicator } from '@siliconalley/service-indicator/dist/service';
import { alertingConfigSchema } from '../../src/config';
import { startAlerting, type RunningAlerting } from '../../src/service';

jest.setTimeout(300000);

interface Sample {
  ready: boolean;
  /** Flag series exported: key (target, or task:<id> for blocked tasks) → value. */
  flags: Map<string, number>;
}

function sampleOf(exposition: string): Sample {
  const flags = new Map<string, number>();
  for (const m of exposition.matchAll(/^siliconalley_target_flagged\{target="([^"]+)"[^}]*\} (\S+)$/gm)) flags.set(m[1]!, Number(m[2]));
  for (const m of exposition.matchAll(/^siliconalley_task_blocked\{task="([^"]+)"[^}]*\} (\S+)$/gm)) flags.set(`blocked:${m[1]}`, Number(m[2]));
  const overdue = /^siliconalley_tasks_overdue(?:\{[^}]*\})? (\S+)$/m.exec(exposition);
  if (overdue) flags.set('tasks_overdue', Number(overdue[1]));
  return { ready: /^siliconalley_evaluation_ready(?:\{[^}]*\})? 1$/m.test(exposition), flags };
}

describe('the alerting service judges only caught-up data', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let indicator: RunningIndicator;
  let alerting: RunningAlerting;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await kafka?.close();
  });

  it('from an empty start through ingestion and an indicator restart, no flag ever differs from the caught-up answer', async () => {
    const common = {
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      SA_NAMESPACE: env.namespace,
      OPS_PORT: '0',
      LOG_LEVEL: 'warn',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const indicatorEnv = { ...common, HTTP_PORT: String(await freePort()) };
    indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, indicatorEnv));
    stops.push(() => indicator.lifecycle.shutdown('test done'));
    alerting = await startAlerting(
      parseConfig('alerting', alertingConfigSchema, {
        ...common,
        HTTP_PORT: '0',
        INDICATOR_URL: `http://127.0.0.1:${indicatorEnv.HTTP_PORT}`,
        ASSESSMENTS_ENABLED: 'false',
        EVALUATION_INTERVAL_SECONDS: '1',
      }),
    );
    stops.push(() => alerting.lifecycle.shutdown('test done'));

    // Everything the service exports and publishes, from now on.
    const samples: Sample[] = [];
    let sampling = true;
    const ops = `http://127.0.0.1:${alerting.opsPort}`;
    const sampler = (async () => {
      while (sampling) {
        samples.push(sampleOf((await request(ops).get('/metrics')).text));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const alerts: InboundRecord[] = [];
    const consumer = await kafka.consume({
      groupId: kafka.group(`catch-up-readback-${Date.now()}`),
      topics: [kafka.topic(TOPICS.alert)],
      handleChunk: async (c) => void alerts.push(...c),
    });
    stops.push(() => consumer.stop());

    // The provider log is published before ingestion runs: a backlog the alerting service must wait for.
    await publishRecords(kafka, loadFixtureRecords('small'), env.namespace);
    await new Promise((r) => setTimeout(r, 3000));
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.every((s) => !s.ready && s.flags.size === 0)).toBe(true);

    const ingest = await startIngest(parseConfig('ingest', ingestConfigSchema, common));
    stops.push(() => ingest.lifecycle.shutdown('test done'));
    // Mid-way (as soon as the indicator has applied something), the indicator restarts and replays.
    await waitUntil('the indicator to apply some accepted events', async () => indicator.state.applied > 0, 120000, 20);
    await indicator.lifecycle.shutdown('restart mid-way');
    indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, indicatorEnv));
    await waitUntil('the pipeline to drain', async () => indicator.isReady() && (await pipelineDrained(kafka)));
    await waitUntil('a caught-up evaluation', async () => samples.at(-1)?.ready === true && (await alerting.evaluateNow()) === 'ok');

    // A second restart once caught up: the series keep their caught-up values while it replays.
    await indicator.lifecycle.shutdown('restart when caught up');
    await waitUntil('the alerting service to notice', async () => samples.at(-1)?.ready === false);
    indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, indicatorEnv));
    await waitUntil('the indicator to be ready again', async () => indicator.isReady());
    await waitUntil('a caught-up evaluation after the restart', async () => (await alerting.evaluateNow()) === 'ok');
    const answerSample = sampleOf((await request(ops).get('/metrics').expect(200)).text);
    sampling = false;
    await sampler;

    // The caught-up answer: the flags the service holds now, which the same evaluation exported.
    const answer = [...alerting.flags()]
      .filter(([, f]) => f.flagged)
      .map(([id]) => id)
      .sort();
    expect(answerSample.ready).toBe(true);
    expect(answerSample.flags.size).toBeGreaterThan(0);
    const exported = samples.filter((s) => s.flags.size > 0);
    expect(samples.some((s) => !s.ready && s.flags.size > 0)).toBe(true); // the second restart was seen
    for (const s of exported) expect(Object.fromEntries(s.flags)).toEqual(Object.fromEntries(answerSample.flags));

    // The alert topic: each flag of the answer raised exactly once, nothing else, nothing cleared.
    await waitUntil('the raised flags on the alert topic', async () => alerts.length >= answer.length);
    await new Promise((r) => setTimeout(r, 1000));
    const changes = alerts.map((r) => JSON.parse(r.value!.toString('utf8')) as { data: { target?: string; task?: number; change: string } });
    const keys = changes.map((c) => (c.data.target !== undefined ? c.data.target : `task:${c.data.task}`)).sort();
    expect(changes.every((c) => c.data.change === 'raised')).toBe(true);
    expect(keys).toEqual(answer);
  });
});
