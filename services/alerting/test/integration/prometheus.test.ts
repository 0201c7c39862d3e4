// End to end through a real Prometheus and the test stack's Alertmanager: the fixture's events
// (published to Kafka, ingested, applied by the indicator) drive targets into flagged statuses; the
// alerting service exports the gauges; a Prometheus started here (the stack's own only scrapes the
// dev stack's services) scrapes them, evaluates the rules generated from the same targets file, and
// the alerts fire there and reach Alertmanager. Then recovery: certifications published to Kafka
// bring a lagging operator target to its value, and an API-managed target is deleted through the
// API; both alerts resolve in Prometheus and leave Alertmanager's active alerts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@siliconalley/config';
import { createTestTopics, freePort, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import { internalAuthHeaders } from '@siliconalley/http';
import type { KafkaClient } from '@siliconalley/kafka';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import { loadFixtureRecords, prometheusBinary, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator, type RunningIndicator } from '@siliconalley/service-indicator/dist/service';
import { alertingConfigSchema } from '../../src/config';
import { TARGET_FLAG_HOLD, rulesYaml } from '../../src/rules';
import { startAlerting, type RunningAlerting } from '../../src/service';
import { loadTargets } from '../../src/targets-file';

jest.setTimeout(300000);

/** E2E_RECOVER's target value: far above the fixture's new service platforms (≤ 3). */
const RECOVER_TARGET = 20;

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

describe('flags fire as alerts in a real Prometheus', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let indicator: RunningIndicator;
  let alerting: RunningAlerting;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    env = testEnv();
    dir = mkdtempSync(join(tmpdir(), 'sa-alerting-e2e-'));
    // The plan's targets plus an operator target far off its path (lagging): 1000 platforms by 2026.
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(
      targetsFile,
      JSON.stringify([
        ...DEFAULT_TARGETS,
        {
          id: 'E2E_PLATFORMS',
          kpi: 'new_service_platforms',
          scope: 'district',
          baselineDate: '2024-01-01',
          baselineValue: 0,
          target: { value: 1000 },
          due: '2026-12-31',
          method: 'linear-v1',
        },
        // Lagging with the fixture's platforms (2 or 3 today against a path near 20), reachable: 20
        // more certificates make it achieved, which clears the flag at once.
        {
          id: 'E2E_RECOVER',
          kpi: 'new_service_platforms',
          scope: 'district',
          baselineDate: '2024-01-01',
          baselineValue: 0,
          target: { value: RECOVER_TARGET },
          due: '2026-12-31',
          method: 'linear-v1',
        },
      ]),
    );
    kafka = await createTestTopics(env);
    const common = {
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      SA_NAMESPACE: env.namespace,
      OPS_PORT: '0',
      LOG_LEVEL: 'error',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const ingest = await startIngest(parseConfig('ingest', ingestConfigSchema, common));
    stops.push(() => ingest.lifecycle.shutdown('test done'));
    await publishRecords(kafka, loadFixtureRecords('small'), env.namespace);
    indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, { ...common, HTTP_PORT: '0' }));
    stops.push(() => indicator.lifecycle.shutdown('test done'));
    await waitUntil('the indicator to apply every accepted event', async () => {
      if (!indicator.isReady()) return false;
      return indicator.state.applied > 0 && (await pipelineDrained(kafka));
    });
    alerting = await startAlerting(
      parseConfig('alerting', alertingConfigSchema, {
        ...common,
        HTTP_PORT: '0',
        INDICATOR_URL: `http://127.0.0.1:${indicator.apiPort}`,
        TARGETS_FILE: targetsFile,
        EVALUATION_INTERVAL_SECONDS: '2',
        ASSESSMENTS_ENABLED: 'false',
      }),
    );
    stops.push(() => alerting.lifecycle.shutdown('test done'));

    // Rules generated from the same targets file, as an operator would after adding a target, with
    // TargetFlagged's hold (10m, for:) cut to seconds: promtool tests the hold (infra/prometheus/tests),
    // this test the way from the flags to Alertmanager (the service evaluates every 2 s here).
    const rules = rulesYaml(loadTargets(targetsFile));
    const holds = `for: ${TARGET_FLAG_HOLD}\n`;
    if (!rules.includes(holds)) throw new Error(`the generated rules have no ${holds.trim()}`);
    writeFileSync(join(dir, 'rules.yml'), rules.replaceAll(holds, 'for: 3s\n'));
    const amUrl = new URL(process.env.ALERTMANAGER_URL ?? 'http://127.0.0.1:29093');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        '  external_labels:',
        `    e2e_run: ${env.namespace}`,
        'rule_files:',
        `  - ${join(dir, 'rules.yml')}`,
        'alerting:',
        '  alertmanagers:',
        '    - static_configs:',
        `        - targets: ['${amUrl.host}']`,
        'scrape_configs:',
        '  - job_name: alerting',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${alerting.opsPort}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    // The Prometheus release docker-compose.yml runs (versions.env; bootstrap.sh builds it).
    prometheus = spawn(
      prometheusBinary(),
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitUntil('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok === true);
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    for (const stop of stops.reverse()) await stop();
    await kafka?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fires TargetFlagged for the regressing plan target and the lagging operator target, and Alertmanager receives them', async () => {
    const firing = async () => {
      const res = await fetch(`${promUrl}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: PromAlert[] } };
      return body.data.alerts.filter((a) => a.state === 'firing' && a.labels.alertname === 'TargetFlagged').map((a) => a.labels.target!);
    };
    await waitUntil('TargetFlagged to fire for T6_ZONE_SHARE and E2E_PLATFORMS', async () => {
      const targets = await firing();
      return targets.includes('T6_ZONE_SHARE') && targets.includes('E2E_PLATFORMS');
    });
    const alerts = ((await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } }).data.alerts;
    const e2e = alerts.find((a) => a.labels.alertname === 'TargetFlagged' && a.labels.target === 'E2E_PLATFORMS')!;
    expect(e2e.labels).toMatchObject({ severity: 'warning', kpi: 'new_service_platforms', scope: 'district' });
    // T32 (no platform yet, on the path from 0 to 2) is not flagged.
    expect(await firing()).not.toContain('T32_SERVICE_PLATFORMS');

    const am = process.env.ALERTMANAGER_URL ?? 'http://127.0.0.1:29093';
    await waitUntil('Alertmanager to receive the alerts', async () => {
      const res = await fetch(
        `${am}/api/v2/alerts?filter=${encodeURIComponent(`e2e_run="${env.namespace}"`)}&filter=${encodeURIComponent('alertname="TargetFlagged"')}`,
      );
      const received = (await res.json()) as { labels: Record<string, string> }[];
      return received.some((a) => a.labels.target === 'T6_ZONE_SHARE') && received.some((a) => a.labels.target === 'E2E_PLATFORMS');
    });
  });

  const am = () => process.env.ALERTMANAGER_URL ?? 'http://127.0.0.1:29093';
  const firingFor = async (alertname: string) => {
    const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
    return body.data.alerts.filter((a) => a.state === 'firing' && a.labels.alertname === alertname);
  };
  /** Alertmanager's active (not resolved) alerts of this run for a target. */
  const activeInAlertmanager = async (target: string) => {
    const filters = [`e2e_run="${env.namespace}"`, 'alertname="TargetFlagged"', `target="${target}"`].map((f) => `filter=${encodeURIComponent(f)}`).join('&');
    const received = (await (await fetch(`${am()}/api/v2/alerts?${filters}`)).json()) as { endsAt: string; status: { state: string } }[];
    return received.filter((a) => a.status.state === 'active' && Date.parse(a.endsAt) > Date.now());
  };

  it('recovers: certifications published through Kafka bring E2E_RECOVER to its value; the alert resolves in Prometheus and Alertmanager', async () => {
    await waitUntil('TargetFlagged to fire for E2E_RECOVER and reach Alertmanager', async () => {
      const firing = (await firingFor('TargetFlagged')).map((a) => a.labels.target);
      return firing.includes('E2E_RECOVER') && (await activeInAlertmanager('E2E_RECOVER')).length > 0;
    });

    // A firm in the district today (from the indicator's own explain), granted RECOVER_TARGET new
    // national service platforms, through the certification topic like any provider's records.
    const today = alerting.evaluator.today();
    const explained = (await (
      await fetch(`http://127.0.0.1:${indicator.apiPort}/kpis/explain?id=active_firms&scope=district&asOf=${today}`, {
        headers: internalAuthHeaders(env.internalApiSecret),
      })
    ).json()) as { firms: { uscc: string }[] };
    const uscc = explained.firms[0]!.uscc;
    const validFrom = `${today.slice(0, 8)}01`;
    const records = Array.from({ length: RECOVER_TARGET }, (_, i) => {
      const id = `e2e-recover-${env.namespace}-${i}`;
      return {
        topic: 'siliconalley.certification.v1',
        key: uscc,
        headers: { 'content-type': 'application/cloudevents+json' },
        value: JSON.stringify({
          specversion: '1.0',
          id,
          source: 'urn:dongcheng:eitb',
          type: 'cn.gov.dongcheng.siliconalley.certification.granted.v1',
          time: `${validFrom}T02:00:00Z`,
          subject: uscc,
          datacontenttype: 'application/json',
          data: {
            uscc,
            kind: 'SME_SERVICE_PLATFORM',
            level: 'national',
            certificateNo: `PLE2E${String(i).padStart(4, '0')}`,
            validFrom,
            validUntil: null,
            issuer: '工业和信息化部',
            batch: null,
          },
        }),
      };
    });
    await publishRecords(kafka, records, env.namespace);

    await waitUntil('E2E_RECOVER to be achieved and its flag cleared', async () => {
      const j = (await alerting.evaluator.targets(today)).find((t) => t.id === 'E2E_RECOVER');
      return j?.status === 'achieved' && alerting.flags().get('E2E_RECOVER')?.flagged === false;
    });
    await waitUntil(
      'TargetFlagged for E2E_RECOVER to resolve in Prometheus',
      async () => !(await firingFor('TargetFlagged')).some((a) => a.labels.target === 'E2E_RECOVER'),
    );
    await waitUntil('Alertmanager to show E2E_RECOVER resolved (no active alert)', async () => (await activeInAlertmanager('E2E_RECOVER')).length === 0);
    // The others stay: recovery is per target.
    expect((await firingFor('TargetFlagged')).map((a) => a.labels.target)).toEqual(expect.arrayContaining(['T6_ZONE_SHARE', 'E2E_PLATFORMS']));
  });

  it('an API-managed target fires the generic rule (managed="api") and resolves when deleted through the API', async () => {
    const api = `http://127.0.0.1:${alerting.apiPort}`;
    const actor = { 'content-type': 'application/json', 'x-sa-actor': 'sa_E2E000', ...internalAuthHeaders(env.internalApiSecret) };
    const definition = {
      id: 'E2E_API',
      kpi: 'new_service_platforms',
      scope: 'district',
      baselineDate: '2024-01-01',
      baselineValue: 0,
      target: { value: 5000 },
      due: '2026-12-31',
      method: 'linear-v1',
    };
    expect((await fetch(`${api}/targets`, { method: 'POST', headers: actor, body: JSON.stringify(definition) })).status).toBe(201);
    await waitUntil('the generic TargetFlagged to fire for E2E_API', async () => (await firingFor('TargetFlagged')).some((a) => a.labels.target === 'E2E_API'));
    const alert = (await firingFor('TargetFlagged')).find((a) => a.labels.target === 'E2E_API')!;
    expect(alert.labels).toMatchObject({ severity: 'warning', managed: 'api' });
    await waitUntil('Alertmanager to receive E2E_API', async () => (await activeInAlertmanager('E2E_API')).length > 0);

    expect((await fetch(`${api}/targets/E2E_API`, { method: 'DELETE', headers: actor })).status).toBe(204);
    await waitUntil(
      'TargetFlagged for E2E_API to resolve in Prometheus',
      async () => !(await firingFor('TargetFlagged')).some((a) => a.labels.target === 'E2E_API'),
    );
    await waitUntil('Alertmanager to show E2E_API resolved', async () => (await activeInAlertmanager('E2E_API')).length === 0);
    expect(alerting.flags().has('E2E_API')).toBe(false);
  });
});
