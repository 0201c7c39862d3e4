// The proof that every panel works: the real services run on the test stack's ports, the real
// Prometheus scrapes them (npm test's stack scrapes every service of SERVICES), the fixture is
// replayed, and each panel's query is run through Prometheus' HTTP API. Each must parse and return
// data, or carry a documented reason to be empty.
import { parseConfig } from '@siliconalley/config';
import { SERVICES, createTestTopics, publishRecords, serviceEnv, testLayout, type ServiceDef } from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator } from '@siliconalley/service-indicator/dist/service';
import { gatewayConfigSchema } from '@siliconalley/service-gateway/dist/config';
import { startGateway } from '@siliconalley/service-gateway/dist/service';
import { alertingConfigSchema } from '@siliconalley/service-alerting/dist/config';
import { startAlerting } from '@siliconalley/service-alerting/dist/service';
import { BOARDS, panelsOf, renderDashboard } from '../../src';

jest.setTimeout(300000);

interface PromResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

describe('every dashboard panel against the real Prometheus', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  const stops: (() => Promise<void>)[] = [];

  const query = async (expr: string): Promise<PromResult> => {
    const res = await fetch(`${env.prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    return (await res.json()) as PromResult;
  };
  const envOf = (name: string) => {
    const def = SERVICES.find((s) => s.name === name) as ServiceDef;
    return {
      ...serviceEnv(testLayout, def),
      SA_NAMESPACE: env.namespace,
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
  };

  beforeAll(async () => {
    env = testEnv();
    if (!env.prometheusUrl) throw new Error('PROMETHEUS_URL is unset: run with `npm test`');
    kafka = await createTestTopics(env);
    for (const name of ['ingest-registration', 'ingest-certification', 'ingest-task']) {
      const ingest = await startIngest(parseConfig(name, ingestConfigSchema, envOf(name)));
      stops.push(() => ingest.lifecycle.shutdown('test done'));
    }
    const indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, envOf('indicator')));
    stops.push(() => indicator.lifecycle.shutdown('test done'));
    const gateway = await startGateway(parseConfig('gateway', gatewayConfigSchema, envOf('gateway')));
    stops.push(() => gateway.lifecycle.shutdown('test done'));
    await publishRecords(kafka, loadFixtureRecords('small'), env.namespace);
    const alerting = await startAlerting(parseConfig('alerting', alertingConfigSchema, envOf('alerting')));
    stops.push(() => alerting.lifecycle.shutdown('test done'));

    // Scraped with the fixture applied and targets judged, and long enough for rate() windows.
    await waitUntil('Prometheus to scrape KPIs and target statuses', async () => {
      const [kpis, targets] = await Promise.all([
        query('siliconalley_kpi_value{kpi="active_firms",scope="district"} > 1000'),
        query('siliconalley_target_status{target="T6_ZONE_SHARE"} == 1'),
      ]);
      return (kpis.data?.result.length ?? 0) > 0 && (targets.data?.result.length ?? 0) > 0;
    });
    await new Promise((r) => setTimeout(r, 15000));
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await kafka?.close();
  });

  // The queries Grafana would run: those of the generated JSON (checked in, equal to a fresh
  // generation by the unit test), matched to their specs only for the documented empty cases.
  const panels = BOARDS.flatMap((board) => {
    const specs = panelsOf(board);
    const rendered = (renderDashboard(board).panels ?? []).filter((p) => p.type !== 'row') as { title?: string; targets?: { expr?: string }[] }[];
    expect(rendered).toHaveLength(specs.length);
    return rendered.flatMap((panel, i) =>
      (panel.targets ?? []).map((t) => [`${board.uid} / ${panel.title} / ${t.expr}`, t.expr ?? '', specs[i]!.mayBeEmpty ?? null] as const),
    );
  });

  it.each(panels)('%s', async (_name, expr, mayBeEmpty) => {
    // Template variables select everything, as the boards' default "All" does.
    const concrete = expr.replace(/\$(zone|kind|industry)/g, '.*');
    const res = await query(concrete);
    expect(res.error ?? null).toBeNull();
    expect(res.status).toBe('success');
    if (mayBeEmpty === null) expect(res.data!.result.length).toBeGreaterThan(0);
  });
});
