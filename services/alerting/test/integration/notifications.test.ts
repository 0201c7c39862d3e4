// Notifications end to end through the real components: the fixture's events (published to Kafka,
// ingested, applied by the indicator) drive the real alerting service to flag targets; a Prometheus
// started here scrapes it and evaluates the rules generated from the same targets file; a real
// Alertmanager (the pinned release) runs on the configuration the generator renders
// (src/notifications/alertmanager-config.ts) with its webhook pointing at a recorder in this test.
// A raised flag must reach the webhook exactly once, with its runbook link, and a missed target's
// TargetMissed must inhibit its TargetFlagged.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseConfig } from '@siliconalley/config';
import { createTestTopics, freePort, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import {
  alertmanagerBinary,
  amtoolBinary,
  loadFixtureRecords,
  prometheusBinary,
  testEnv,
  toolMissingHint,
  waitUntil,
  type TestEnv,
} from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator, type RunningIndicator } from '@siliconalley/service-indicator/dist/service';
import { alertingConfigSchema } from '../../src/config';
import { MESSAGE_TEMPLATE, alertmanagerConfigYaml, parseNotificationEnv } from '../../src/notifications/alertmanager-config';
import { DEFAULT_RUNBOOK_BASE, rulesYaml, type RuleGroup } from '../../src/rules';
import { startAlerting, type RunningAlerting } from '../../src/service';
import { loadTargets } from '../../src/targets-file';

jest.setTimeout(300000);

/** Alertmanager's webhook payload (template.Data plus version and groupKey). */
interface WebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

const GROUP_INTERVAL_MS = 2000;

describe('notifications: a flag raised in the alerting service reaches the webhook through a real Prometheus and Alertmanager', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let dir: string;
  let indicator: RunningIndicator;
  let alerting: RunningAlerting;
  let recorder: Server;
  const received: WebhookPayload[] = [];
  const children: ChildProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  let promUrl: string;
  let amUrl: string;

  /** Starts a pinned binary (testkit tools.ts), its stderr passed through. */
  function start(binary: string, args: string[]): ChildProcess {
    if (!existsSync(binary)) throw new Error(toolMissingHint(binary, new Error('no such file')));
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', (err) => process.stderr.write(`${toolMissingHint(binary, err)}\n`));
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    env = testEnv();
    dir = mkdtempSync(join(tmpdir(), 'sa-notifications-'));
    // The plan's targets plus one whose due date has passed far below its value: missed (critical),
    // and flagged too, which its TargetMissed must inhibit.
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(
      targetsFile,
      JSON.stringify([
        ...DEFAULT_TARGETS,
        {
          id: 'E2E_MISSED',
          kpi: 'new_service_platforms',
          scope: 'district',
          baselineDate: '2024-01-01',
          baselineValue: 0,
          target: { value: 1000 },
          due: '2025-06-30',
          method: 'linear-v1',
        },
      ]),
    );

    // The real pipeline up to the alerting service, as test/integration/prometheus.test.ts runs it.
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
    await waitUntil(
      'the indicator to apply every accepted event',
      async () => indicator.isReady() && indicator.state.applied > 0 && (await pipelineDrained(kafka)),
    );
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

    // The webhook receiver: records every notification Alertmanager posts.
    recorder = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
        res.writeHead(200).end();
      });
    });
    const recorderPort = await freePort();
    await new Promise<void>((r) => recorder.listen(recorderPort, '127.0.0.1', r));

    // Alertmanager on the generator's configuration with only the webhook filled in. The grouping
    // timers are the generator's parameter: 1 s / 2 s instead of 30 s / 5 m, so that the test need not
    // wait minutes for a first notification and can watch several group intervals for a duplicate;
    // routing, grouping and inhibition are the production ones.
    const amConfig = join(dir, 'alertmanager.yml');
    writeFileSync(
      amConfig,
      alertmanagerConfigYaml(parseNotificationEnv({ NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${recorderPort}/notify` }), {
        groupWait: '1s',
        groupInterval: `${GROUP_INTERVAL_MS / 1000}s`,
      }),
    );
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    start(alertmanagerBinary(), [
      `--config.file=${amConfig}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    await waitUntil('Alertmanager to be ready', async () => (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok === true, 30000);

    // The rules generated from the same targets file, with no hold on the two alerts waited for:
    // `for:` (e.g. TargetFlagged's 10m) is covered by the promtool unit tests
    // (infra/prometheus/tests); here it would only make the test wait.
    const groups = (parse(rulesYaml(loadTargets(targetsFile))) as { groups: RuleGroup[] }).groups;
    for (const rule of groups.flatMap((g) => g.rules)) if (rule.alert === 'TargetFlagged' || rule.alert === 'TargetMissed') rule.for = '0s';
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }, { lineWidth: 0 }));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'rules.yml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [{ job_name: 'alerting', static_configs: [{ targets: [`127.0.0.1:${alerting.opsPort}`] }] }],
      }),
    );
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    start(prometheusBinary(), [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    await waitUntil('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok === true, 30000);
  });

  afterAll(async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    for (const stop of stops.reverse()) await stop();
    await kafka?.close();
    if (recorder)
      await new Promise<void>((r) => {
        recorder.close(() => r());
        recorder.closeAllConnections();
      });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The notifications carrying `alertname` for `target`, in arrival order. */
  const notificationsOf = (alertname: string, target: string) =>
    received.filter((n) => n.alerts.some((a) => a.labels.alertname === alertname && a.labels.target === target));
  const firingInPrometheus = async (alertname: string) => {
    const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
    return body.data.alerts.filter((a) => a.state === 'firing' && a.labels.alertname === alertname).map((a) => a.labels.target);
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a raised flag (T6_ZONE_SHARE regressing) is notified exactly once, to the task force, with its runbook link', async () => {
    await waitUntil('the webhook to receive TargetFlagged for T6_ZONE_SHARE', async () => notificationsOf('TargetFlagged', 'T6_ZONE_SHARE').length > 0);
    // Several group intervals and Prometheus re-sends later, still one.
    await sleep(4 * GROUP_INTERVAL_MS + 2000);
    const notes = notificationsOf('TargetFlagged', 'T6_ZONE_SHARE');
    expect(notes).toHaveLength(1);
    const note = notes[0]!;
    expect(note).toMatchObject({ receiver: 'task-force', status: 'firing', groupLabels: { alertname: 'TargetFlagged', target: 'T6_ZONE_SHARE' } });
    expect(note.alerts).toHaveLength(1);
    expect(note.alerts[0]!.labels).toMatchObject({ severity: 'warning', target: 'T6_ZONE_SHARE', kpi: 'zone_share' });
    expect(note.alerts[0]!.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE}#runbook-target-lagging`);
    expect(note.alerts[0]!.annotations.summary).toBe('Target T6_ZONE_SHARE is flagged (lagging, regressing or missed)');
    // The same flag is raised in the service, and the alert still fires: nothing was resolved in between.
    expect(alerting.flags().get('T6_ZONE_SHARE')?.flagged).toBe(true);
    expect(await firingInPrometheus('TargetFlagged')).toContain('T6_ZONE_SHARE');

    // What WeCom and e-mail would say for this very notification: summary and runbook link.
    const template = join(dir, 'message.tmpl');
    writeFileSync(template, `{{ define "siliconalley.message" }}${MESSAGE_TEMPLATE}{{ end }}`);
    writeFileSync(join(dir, 'note.json'), JSON.stringify(note));
    const render = spawnSync(
      amtoolBinary(),
      [
        'template',
        'render',
        `--template.glob=${template}`,
        '--template.text={{ template "siliconalley.message" . }}',
        `--template.data=${join(dir, 'note.json')}`,
      ],
      { encoding: 'utf8' },
    );
    if (render.error) throw new Error(toolMissingHint(amtoolBinary(), render.error));
    expect(render.stdout).toContain(
      '[warning] Target T6_ZONE_SHARE is flagged (lagging, regressing or missed)\nRunbook 处置手册: docs/runbooks.md#runbook-target-lagging',
    );
  });

  it('TargetMissed (critical, to the urgent receiver) inhibits TargetFlagged of the same target', async () => {
    await waitUntil('the webhook to receive TargetMissed for E2E_MISSED', async () => notificationsOf('TargetMissed', 'E2E_MISSED').length > 0);
    // Both fire in Prometheus: the flag is there, and only inhibition keeps it from the webhook.
    await waitUntil('TargetFlagged to fire for E2E_MISSED in Prometheus', async () => (await firingInPrometheus('TargetFlagged')).includes('E2E_MISSED'));
    expect(await firingInPrometheus('TargetMissed')).toContain('E2E_MISSED');
    const filters = ['alertname="TargetFlagged"', 'target="E2E_MISSED"'].map((f) => `filter=${encodeURIComponent(f)}`).join('&');
    await waitUntil('Alertmanager to hold TargetFlagged for E2E_MISSED as inhibited', async () => {
      const alerts = (await (await fetch(`${amUrl}/api/v2/alerts?${filters}`)).json()) as { status: { state: string; inhibitedBy: string[] } }[];
      return alerts.length === 1 && alerts[0]!.status.state === 'suppressed' && alerts[0]!.status.inhibitedBy.length === 1;
    });
    await sleep(4 * GROUP_INTERVAL_MS + 2000);
    expect(notificationsOf('TargetFlagged', 'E2E_MISSED')).toEqual([]);
    const missed = notificationsOf('TargetMissed', 'E2E_MISSED');
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ receiver: 'task-force-urgent', status: 'firing', groupLabels: { alertname: 'TargetMissed', target: 'E2E_MISSED' } });
    expect(missed[0]!.alerts[0]!.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE}#runbook-target-missed`);
  });
});
