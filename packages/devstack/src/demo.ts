// Demo data for `npm start`: the small fixture (or, with --demo-firms N, a simulated provider
// history of N firms), replayed once into an empty system.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chinaDateOf } from '@siliconalley/contract';
import { createLogger } from '@siliconalley/logger';
import { KafkaClient } from '@siliconalley/kafka';
import { loadFixtureRecords } from '@siliconalley/testkit';
import { publishRecords } from './publish';
import { kafkaBrokers, type StackLayout } from './layout';
import { repoRoot } from './paths';

/** What to replay: the fixture, or a simulation of `firms` firms. */
export type DemoSource = { kind: 'fixture' } | { kind: 'simulation'; firms: number };

/** The simulator's CLI (packages/simulator): run as a program, so this package does not depend on it. */
const SIMULATOR_CLI = join(repoRoot, 'packages/simulator/dist/cli.js');

async function brokerHoldsEvents(client: KafkaClient): Promise<boolean> {
  const topic = 'siliconalley.enterprise.v1';
  const ends = await client.partitionEnds([topic]);
  return Object.values(ends[topic] ?? {}).some((end) => BigInt(end) > 0n);
}

export async function replayDemo(layout: StackLayout, say: (line: string) => void, source: DemoSource = { kind: 'fixture' }): Promise<void> {
  const client = new KafkaClient({ brokers: [kafkaBrokers(layout)], clientId: 'devstack-demo', logger: createLogger('devstack', 'warn') });
  try {
    if (await brokerHoldsEvents(client)) {
      say('[demo] the broker already holds provider events: demo replay skipped');
      return;
    }
    if (source.kind === 'simulation') {
      await replaySimulation(layout, source.firms, say);
      return;
    }
    const records = loadFixtureRecords('small');
    say(`[demo] replaying ${records.length} fixture records (shared/fixtures/small) into Kafka`);
    await publishRecords(client, records, '');
    say('[demo] done; the services apply them as they start');
  } finally {
    await client.close();
  }
}

/** Publishes a simulated history (2015 to today) of `firms` firms with the simulator's CLI; its progress bar and summary show through. */
async function replaySimulation(layout: StackLayout, firms: number, say: (line: string) => void): Promise<void> {
  if (!existsSync(SIMULATOR_CLI)) throw new Error(`${SIMULATOR_CLI} is missing: build it (npx turbo run build --filter=@siliconalley/simulator)`);
  const args = [
    SIMULATOR_CLI,
    '--firms',
    String(firms),
    '--from',
    '2015-01-01',
    '--to',
    chinaDateOf(new Date()),
    '--target',
    'kafka',
    '--brokers',
    kafkaBrokers(layout),
  ];
  say(`[demo] replaying a simulated history of ${firms} firms into Kafka (npm run simulate -- ${args.slice(1).join(' ')})`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  if (code !== 0) throw new Error(`the simulator exited with code ${code}`);
  say('[demo] done; the services apply them as they start');
}
