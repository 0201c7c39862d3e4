// End to end through a real Prometheus and the test stack's Alertmanager: the fixture's events
// (published to Kafka, ingested, applied by the indicator) drive targets into flagged statuses; the
// alerting service exports the gauges; a Prometheus started here (the stack's own only scrapes the
// dev stack's services) scrapes them, evaluates the rules generated from the same targets file, and
// the alerts fire there and reach Alertmanager.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@siliconalley/config';
import { createTestTopics, publishRecords } from '@siliconalley/devstack';
import { CONSUMER_GROUPS, type KafkaClient } from '@siliconalley/kafka';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import { loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator } from '@siliconalley/service-indicator/dist/service';
import { alertingConfigSchema } from '../../src/config';
import { rulesYaml } from '../../src/rules';
import { startAlerting } from '../../src/service';
import { loadTargets } from '../../src/targets-file';

jest.setTimeout(300000);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

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
        { id: 'E2E_PLATFORMS', kpi: 'new_service_platforms', scope: 'district', baselineDate: '2024-01-01', baselineValue: 0, target: { value: 1000 }, due: '2026-12-31', method: 'linear-v1' },
      ]),
    );
    kafka = await createTestTopics(env);
    const common = { KAFKA_BROKERS: env.brokers.join(','), MONGO_URL: env.mongoUrl, SA_NAMESPACE: env.namespace, OPS_PORT: '0', LOG_LEVEL: 'error' };
    const ingest = await startIngest(parseConfig('ingest', ingestConfigSchema, common));
    stops.push(() => ingest.lifecycle.shutdown('test done'));
    await publishRecords(kafka, loadFixtureRecords('small'), env.namespace);
    const indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, { ...common, HTTP_PORT: '0' }));
    stops.push(() => indicator.lifecycle.shutdown('test done'));
    await waitUntil('the indicator to apply every accepted event', async () => {
      if (!indicator.isReady()) return false;
      const lag = await kafka.consumerLag(kafka.group(CONSUMER_GROUPS.indicator), [kafka.topic('siliconalley.accepted.v1')]).catch(() => ({}) as Record<string, number>);
      const ingestLag = await kafka.consumerLag(kafka.group(CONSUMER_GROUPS.ingest(['certification', 'enterprise', 'task'])), ['siliconalley.enterprise.v1', 'siliconalley.certification.v1', 'siliconalley.task.v1'].map((t) => kafka.topic(t)));
      const total = Object.values(lag).reduce((a, b) => a + b, 0) + Object.values(ingestLag).reduce((a, b) => a + b, 0);
      return indicator.state.applied > 0 && total === 0 && Object.keys(lag).length > 0;
    });
    const alerting = await startAlerting(
      parseConfig('alerting', alertingConfigSchema, { ...common, HTTP_PORT: '0', INDICATOR_URL: `http://127.0.0.1:${indicator.apiPort}`, TARGETS_FILE: targetsFile, EVALUATION_INTERVAL_SECONDS: '2' }),
    );
    stops.push(() => alerting.lifecycle.shutdown('test done'));

    // Rules generated from the same targets file, as an operator would after adding a target.
    writeFileSync(join(dir, 'rules.yml'), rulesYaml(loadTargets(targetsFile)));
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
    prometheus = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
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
      const res = await fetch(`${am}/api/v2/alerts?filter=${encodeURIComponent(`e2e_run="${env.namespace}"`)}&filter=${encodeURIComponent('alertname="TargetFlagged"')}`);
      const received = (await res.json()) as { labels: Record<string, string> }[];
      return received.some((a) => a.labels.target === 'T6_ZONE_SHARE') && received.some((a) => a.labels.target === 'E2E_PLATFORMS');
    });
  });
});
