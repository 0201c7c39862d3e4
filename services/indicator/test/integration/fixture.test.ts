// The whole path on real components: fixture → Kafka → ingestion → event store + accepted topic →
// indicator → KPI API. Every KPI entry of expected.json must come out exactly, for every date,
// from a clean start and again after a restart (rebuilt from the event store).
import request from 'supertest';
import { parseConfig } from '@siliconalley/config';
import { createTestTopics, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import { createMetricsRegistry, INTERNAL_AUTH_HEADER } from '@siliconalley/http';
import { chinaDateOf, monthEndsBetween } from '@siliconalley/contract';
import { connectDatabase } from '@siliconalley/db';
import { createStore } from '@siliconalley/store';
import { defaultZoneRegistry } from '@siliconalley/zones';
import type { KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { loadExpected, loadFixtureRecords, promtoolCheckMetrics, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '../../src/config';
import { createServer } from '../../src/server';
import { startIndicator, stateFromStore, type RunningIndicator } from '../../src/service';
import type { IndicatorState } from '../../src/state';

jest.setTimeout(240000);

const records = loadFixtureRecords('small');
const expected = loadExpected('small');

const sameValue = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

describe('indicator on the small fixture, end to end', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  const stops: (() => Promise<void>)[] = [];

  const indicatorConfig = () =>
    parseConfig('indicator', indicatorConfigSchema, {
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      SA_NAMESPACE: env.namespace,
      OPS_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      INTERNAL_API_SECRET: env.internalApiSecret,
    });

  const waitApplied = async (indicator: RunningIndicator) => {
    const { state } = indicator;
    await waitUntil('the indicator to apply every accepted event', async () => {
      if (!indicator.isReady()) return false;
      return state.applied > 0 && (await pipelineDrained(kafka));
    });
  };

  const check = async (state: IndicatorState) => {
    const app = createServer({
      state,
      logger: createLogger('test', 'silent'),
      registry: createMetricsRegistry('test'),
      now: () => new Date('2026-11-26T12:00:00Z'),
      internalSecret: env.internalApiSecret,
    });
    const problems: string[] = [];
    for (const [asOf, entries] of Object.entries(expected.asOf)) {
      const res = await request(app).get(`/kpis?asOf=${asOf}`).set(INTERNAL_AUTH_HEADER, env.internalApiSecret).expect(200);
      const got = new Map<string, number | null>(
        (res.body.kpis as { id: string; scope: string; kind?: string; industry?: string; within?: number; value: number | null }[]).map((e) => [
          JSON.stringify([e.id, e.scope, e.kind, e.industry, e.within]),
          e.value,
        ]),
      );
      expect(res.body.kpis).toHaveLength(entries.length);
      for (const e of entries) {
        const key = JSON.stringify([e.id, e.scope, e.kind, e.industry, e.within]);
        if (!got.has(key)) problems.push(`${asOf} ${key}: missing`);
        else if (!sameValue(got.get(key)!, e.value)) problems.push(`${asOf} ${key}: want ${e.value}, got ${got.get(key)}`);
      }
    }
    return problems;
  };

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
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
    await kafka.close();
  });

  it('serves every expected KPI entry for every date from a clean start', async () => {
    const indicator = await startIndicator(indicatorConfig());
    await waitApplied(indicator);
    expect(await check(indicator.state)).toEqual([]);
    // This host only, and only for callers with INTERNAL_API_SECRET (the gateway, alerting).
    expect({ api: indicator.apiAddress, ops: indicator.opsAddress }).toEqual({ api: '127.0.0.1', ops: '127.0.0.1' });
    const explain = `http://127.0.0.1:${indicator.apiPort}/kpis/explain?id=qualified_firms&scope=district&asOf=2025-06-30`;
    const refused = await fetch(explain);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toMatch(/uscc/);
    const answered = await fetch(explain, { headers: { [INTERNAL_AUTH_HEADER]: env.internalApiSecret } });
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { firms: unknown[] }).firms.length).toBeGreaterThan(0);
    // Today's KPI gauges, freshness and engine timings, in a form Prometheus' linter accepts.
    const metrics = await (await fetch(`http://127.0.0.1:${indicator.opsPort}/metrics`)).text();
    expect(promtoolCheckMetrics(metrics)).toEqual([]);
    const qualifiedToday = indicator.state.engine.value({ id: 'qualified_firms', scope: 'zone:QL' }, chinaDateOf(new Date()));
    expect(metrics).toContain(
      `siliconalley_kpi_value{kpi="qualified_firms",scope="zone:QL",kind="",industry="",within="",service="indicator"} ${qualifiedToday}`,
    );
    expect(metrics).toMatch(/siliconalley_kpi_freshness_seconds\{service="indicator"\} \d/);
    expect(metrics).toMatch(/siliconalley_engine_replay_duration_seconds\{service="indicator"\} \d/);
    await indicator.lifecycle.shutdown('restart');
  });

  it('gives the same numbers after a restart (partitions replayed from their start)', async () => {
    const indicator = await startIndicator(indicatorConfig());
    try {
      await waitApplied(indicator);
      expect(await check(indicator.state)).toEqual([]);
    } finally {
      await indicator.lifecycle.shutdown('next test');
    }
  });

  it('a full rebuild from the event store gives identical numbers on every month end', async () => {
    const conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    try {
      const rebuilt = await stateFromStore(createStore(conn), defaultZoneRegistry());
      expect(await check(rebuilt)).toEqual([]);
      const consumed = await startIndicator(indicatorConfig());
      stops.push(() => consumed.lifecycle.shutdown('test done'));
      await waitApplied(consumed);
      for (const asOf of monthEndsBetween('2015-01-31', '2026-10-31')) {
        expect(rebuilt.engine.kpis(asOf)).toEqual(consumed.state.engine.kpis(asOf));
      }
    } finally {
      await conn.close();
    }
  });
});
