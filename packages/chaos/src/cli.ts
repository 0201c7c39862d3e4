#!/usr/bin/env node
// `npm run test:chaos [-- --events 1000000 --seed 7 …]`: the on-demand chaos run. Uses the stack in
// the environment (KAFKA_BROKERS, MONGO_URL, SA_TEST_STACK_DIR, as `npm test` sets them), or starts
// the test stack itself (.local/test-stack) and stops it afterwards. Exit code 0 when every check passed.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { kafkaBrokers, mongoUrl, Stack, SERVICES, testLayout, type StackLayout } from '@siliconalley/devstack';
import { firmsForRecords, fixtureLog, loadSimulator, simulatedLog, type ChaosLog } from './log';
import { runChaos } from './run';
import { stopAllServices } from './services';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    fixture: { type: 'string' },
    seed: { type: 'string', default: '1' },
    kills: { type: 'string', default: '21' },
    steps: { type: 'string', default: '40' },
    from: { type: 'string', default: '2015-01-01' },
    to: { type: 'string', default: '2026-10-31' },
    'events-per-firm': { type: 'string' },
    'no-broker-restart': { type: 'boolean', default: false },
    'no-database-restart': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    [
      'npm run test:chaos -- [--events N | --fixture small] [--seed S] [--kills K] [--steps N]',
      '  --events N           simulated log of about N records (packages/simulator), default 1000000',
      '  --fixture NAME       replay shared/fixtures/NAME instead',
      '  --seed S             fault plan and simulator seed (same seed, same run)',
      '  --kills K            SIGKILLs in all, round-robin over the 7 service processes (default 21)',
      '  --steps N            the log is published in N steps, faults fall between them (default 40)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

function chooseLog(seed: number): ChaosLog {
  if (values.fixture) return fixtureLog(values.fixture);
  const simulate = loadSimulator();
  if (!simulate) throw new Error('packages/simulator is not built (npm run build); use --fixture small meanwhile');
  const events = Number(values.events);
  if (!Number.isInteger(events) || events < 1) throw new Error(`--events must be a whole number of records ≥ 1, got ${JSON.stringify(values.events)}`);
  const from = values.from!;
  const to = values.to!;
  // The simulator is sized in firms: fit its records to firms on two samples, then solve for the ask.
  const perFirm = Number(values['events-per-firm'] ?? 0);
  const count = (firms: number) => {
    let n = 0;
    for (const _ of simulate({ firms, from, to, seed })) n += 1;
    return n;
  };
  const firms = perFirm ? Math.max(1, Math.round(events / perFirm)) : firmsForRecords(events, count);
  return simulatedLog({ firms, from, to, seed }, simulate);
}

async function main(): Promise<void> {
  const seed = Number(values.seed);
  const log = chooseLog(seed);
  let stack: Stack | null = null;
  let layout: StackLayout;
  let brokers: string;
  let mongo: string;
  if (process.env.KAFKA_BROKERS && process.env.MONGO_URL) {
    brokers = process.env.KAFKA_BROKERS;
    mongo = process.env.MONGO_URL;
    layout = { ...testLayout, dir: process.env.SA_TEST_STACK_DIR ?? testLayout.dir };
  } else {
    layout = testLayout;
    stack = new Stack({ layout, fresh: true, scrape: SERVICES });
    process.stdout.write('[chaos] starting the test stack (real Kafka, FerretDB, Prometheus, Alertmanager)\n');
    await stack.up();
    brokers = kafkaBrokers(layout);
    mongo = mongoUrl(layout);
  }
  const stop = async () => {
    if (stack) await stack.down();
  };
  // Ctrl-C: the services first (they would keep running, orphaned), then the stack.
  process.once(
    'SIGINT',
    () =>
      void stopAllServices()
        .then(stop)
        .then(() => process.exit(130)),
  );
  let code = 1;
  try {
    const report = await runChaos({
      log,
      seed,
      brokers: brokers.split(','),
      mongoUrl: mongo,
      namespace: `chaos${randomBytes(3).toString('hex')}`,
      layout,
      kills: Number(values.kills),
      steps: Number(values.steps),
      restartBroker: !values['no-broker-restart'],
      restartDatabase: !values['no-database-restart'],
      pause: true,
      poison: true,
      drainTimeoutMs: 3 * 3600_000,
    });
    const { verify: v, ...rest } = report;
    process.stdout.write(`${JSON.stringify({ ...rest, verify: { ...v, problems: undefined } }, null, 2)}\n`);
    if (report.problems.length) {
      process.stdout.write(`\n[chaos] FAILED: ${report.problems.length} problems\n${report.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    } else {
      process.stdout.write(
        `\n[chaos] PASSED: ${report.published} records, ${report.totalKills} kills, ${report.faults.length} faults, ${Math.round(report.durations.totalMs / 1000)} s\n`,
      );
      code = 0;
    }
  } catch (err) {
    process.stderr.write(`[chaos] ${(err as Error).stack ?? err}\n`);
  } finally {
    await stop();
  }
  process.exit(code);
}

main().catch((err: Error) => {
  // A bad option or a missing build, before anything started: the message is enough.
  process.stderr.write(`[chaos] ${err.message}\n`);
  process.exit(2);
});
