#!/usr/bin/env node
// `npm start` / `npm test` / `npm run stack -- up|down` for the local stack.
import { spawn } from 'node:child_process';
import { alertmanagerUrl, devLayout, kafkaBrokers, mongoUrl, postgresPort, prometheusUrl, testLayout, logDir } from './layout';
import { ferretdbBackend, repoRoot, sharedDir } from './paths';
import { ferretdbPostgresUrl } from './backend';
import { SERVICES, opsPort } from './services';
import { Stack } from './stack';
import { replayDemo, type DemoSource } from './demo';
import { FailureRecap } from './recap';
import { notificationsFile } from './notifications';

const args = process.argv.slice(2);
const command = args[0] ?? 'start';
const flag = (name: string) => args.includes(`--${name}`);

function run(cmd: string, cmdArgs: string[], env: Record<string, string>, recap?: FailureRecap): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: repoRoot, stdio: recap ? ['inherit', 'pipe', 'pipe'] : 'inherit', env: { ...process.env, ...env } });
    if (recap) {
      // Passed through unchanged, and remembered for the recap of failed suites.
      child.stdout!.on('data', (b: Buffer) => {
        process.stdout.write(b);
        recap.write(b.toString('utf8'));
      });
      child.stderr!.on('data', (b: Buffer) => {
        process.stderr.write(b);
        recap.write(b.toString('utf8'), 'stderr');
      });
    }
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function onSignals(handler: (signal: string) => void): void {
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

async function start(): Promise<void> {
  // `--demo-firms N`: replay a simulated history of N firms instead of the fixture.
  let demo: DemoSource = { kind: 'fixture' };
  const demoFirmsAt = args.indexOf('--demo-firms');
  if (demoFirmsAt >= 0) {
    const text = args[demoFirmsAt + 1] ?? '';
    const firms = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(firms) || firms < 1) {
      process.stderr.write(`--demo-firms needs a whole number of firms ≥ 1, got ${JSON.stringify(text)}\n`);
      process.exit(2);
    }
    demo = { kind: 'simulation', firms };
  }
  const stack = new Stack({ layout: devLayout, fresh: flag('fresh'), services: SERVICES });
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n[stack] ${why}: stopping everything (data is kept in ${devLayout.dir})\n`);
    await stack.down();
    process.exit(0);
  };
  onSignals((s) => void stop(s));
  try {
    // The demo log is in Kafka before the services start: the alerting service judges the targets
    // once ingestion and the indicator have caught up to it, never on a half-published log.
    await stack.up(flag('no-demo') ? undefined : () => replayDemo(devLayout, (l) => process.stdout.write(`${l}\n`), demo));
  } catch (err) {
    process.stderr.write(`[stack] start failed: ${(err as Error).message}\n`);
    await stack.down();
    process.exit(1);
  }
  const p = devLayout.ports;
  process.stdout.write(
    [
      '',
      'Silicon Alley monitoring is running.',
      `  API and HTTP ingest   http://127.0.0.1:${p.gateway}/api/v1   (OpenAPI: /api/v1/openapi.json)`,
      `  token                 npm run token -- --role evaluator`,
      `  Kafka broker          ${kafkaBrokers(devLayout)}`,
      `  MongoDB (FerretDB)    ${mongoUrl(devLayout)}   (FerretDB on ${ferretdbBackend()}: FERRETDB_BACKEND)`,
      ...(ferretdbBackend() === 'postgresql' ? [`  its PostgreSQL        ${ferretdbPostgresUrl(postgresPort(devLayout))}`] : []),
      `  Prometheus            ${prometheusUrl(devLayout)}`,
      `  Alertmanager          ${alertmanagerUrl(devLayout)}`,
      `  notifications         ${notificationsFile(devLayout)}   (Alertmanager's webhook, recorded; docs/runbooks.md "Notifications")`,
      ...SERVICES.map((s) => `  metrics ${s.name.padEnd(22)} http://127.0.0.1:${opsPort(devLayout, s)}/metrics`),
      `  dashboards            Grafana via docker compose (infra/grafana/); see docs/dashboards.md`,
      `  logs                  ${logDir(devLayout)}`,
      'Ctrl-C stops everything; the next `npm start` continues with the same data.',
      '',
    ].join('\n'),
  );
  await new Promise(() => undefined);
}

/** Provisioned already (bootstrap.sh); runs lint, unit tests, then integration tests against a fresh test stack. */
async function test(): Promise<void> {
  const stack = new Stack({ layout: testLayout, fresh: true, scrape: SERVICES });
  let code = 1;
  onSignals(() => void stack.down().then(() => process.exit(130)));
  try {
    // Lint and format first (Biome, biome.json): a style slip fails in seconds, not after the suites.
    code = await run('npx', ['biome', 'ci', '--reporter=summary'], {});
    if (code === 0) code = await run('npx', ['turbo', 'run', 'typecheck', 'test:unit', '--output-logs=new-only'], {});
    if (code === 0) {
      process.stdout.write('[test] starting the test stack (real Kafka, FerretDB, Prometheus, Alertmanager)\n');
      await stack.up();
      // --continue: one failing suite does not hide the others' results (the exit code still fails).
      const recap = new FailureRecap();
      code = await run(
        'npx',
        ['turbo', 'run', 'test:integration', '--concurrency=1', '--continue', '--output-logs=new-only'],
        {
          KAFKA_BROKERS: kafkaBrokers(testLayout),
          MONGO_URL: mongoUrl(testLayout),
          PROMETHEUS_URL: prometheusUrl(testLayout),
          ALERTMANAGER_URL: alertmanagerUrl(testLayout),
          SA_TEST_STACK_DIR: testLayout.dir,
          SHARED_DIR: sharedDir(),
        },
        recap,
      );
      process.stdout.write(recap.render());
    }
  } catch (err) {
    process.stderr.write(`[test] ${(err as Error).message}\n`);
    code = 1;
  } finally {
    await stack.down();
  }
  process.exit(code);
}

async function main(): Promise<void> {
  switch (command) {
    case 'start':
      return start();
    case 'test':
      return test();
    case 'up': {
      // Infrastructure only (no services), for running integration tests by hand:
      //   npm run stack -- up --test   then, in another shell, the printed environment + `npx jest test/integration`.
      const layout = flag('test') ? testLayout : devLayout;
      const stack = new Stack({ layout, fresh: flag('fresh'), scrape: SERVICES });
      onSignals(() => void stack.down().then(() => process.exit(0)));
      await stack.up();
      process.stdout.write(
        `export KAFKA_BROKERS=${kafkaBrokers(layout)} MONGO_URL=${mongoUrl(layout)} PROMETHEUS_URL=${prometheusUrl(layout)} ALERTMANAGER_URL=${alertmanagerUrl(layout)} SHARED_DIR=${sharedDir()}\n`,
      );
      await new Promise(() => undefined);
      return;
    }
    case 'down': {
      await new Stack({ layout: flag('test') ? testLayout : devLayout }).killStale();
      return;
    }
    default:
      process.stderr.write(`unknown command ${command}: use start [--fresh] [--no-demo] | test | down [--test]\n`);
      process.exit(2);
  }
}

void main();
