#!/usr/bin/env node
// `npm run simulate -- --firms N ...`: generates a provider history and publishes it to Kafka or
// the gateway's HTTP ingest route (or only counts it, --dry-run), with a progress bar on stderr and
// a summary of records by topic and intended disposition at the end.
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { chinaDateOf, isIsoDate } from '@siliconalley/contract';
import { KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { checkOptions, simulateCohorts, type SimulationOptions } from './simulate';
import { HttpPublisher, KafkaPublisher, type GatewayAnswers, type Publisher } from './publish';
import { count, emptyTally, type Tally } from './tally';

const USAGE = `usage: npm run simulate -- --firms N [--from 2015-01-01] [--to YYYY-MM-DD (default today, China time)]
    [--seed S (default 1)] [--rate R (records/s)] [--target kafka|http (default kafka)]
    [--brokers host:port[,host:port] (default 127.0.0.1:9092)] [--namespace ns]
    [--gateway http://127.0.0.1:8080 --token T (a provider token for every type)] [--dry-run] [--json]`;

class UsageError extends Error {}

export interface CliOptions {
  simulation: Required<SimulationOptions>;
  rate: number | null;
  target: 'kafka' | 'http';
  brokers: string[];
  namespace: string;
  gateway: string;
  token: string | null;
  dryRun: boolean;
  json: boolean;
}

const wholeNumber = (flag: string, text: string | undefined, fallback: number | null, min: number): number => {
  if (text === undefined) {
    if (fallback === null) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
};

export function parseCli(argv: string[], now = new Date()): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        firms: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        seed: { type: 'string' },
        rate: { type: 'string' },
        target: { type: 'string' },
        brokers: { type: 'string' },
        namespace: { type: 'string' },
        gateway: { type: 'string' },
        token: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError('');
  const today = chinaDateOf(now);
  const from = values.from ?? '2015-01-01';
  const to = values.to ?? today;
  for (const [flag, date] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isIsoDate(date)) throw new UsageError(`--${flag} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  if (from > to) throw new UsageError(`--from ${from} is later than --to ${to}`);
  const dryRun = values['dry-run'] ?? false;
  // Every valid record is effective by --to; published before that day, some would be future_dated.
  if (!dryRun && to > today)
    throw new UsageError(`--to ${to} is after today (${today}, China time): events effective after they arrive are rejected as future_dated`);
  const target = values.target ?? 'kafka';
  if (target !== 'kafka' && target !== 'http') throw new UsageError(`--target must be kafka or http, got ${JSON.stringify(target)}`);
  let rate: number | null = null;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new UsageError(`--rate must be a positive number of records per second, got ${JSON.stringify(values.rate)}`);
  }
  const brokers = (values.brokers ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  if (brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) throw new UsageError(`--brokers must be host:port[,host:port…], got ${JSON.stringify(values.brokers)}`);
  const namespace = values.namespace ?? '';
  if (!/^[A-Za-z0-9_-]*$/.test(namespace)) throw new UsageError(`--namespace may hold letters, digits, _ and - only, got ${JSON.stringify(namespace)}`);
  const gateway = values.gateway ?? 'http://127.0.0.1:8080';
  try {
    new URL(gateway);
  } catch {
    throw new UsageError(`--gateway must be a URL such as http://127.0.0.1:8080, got ${JSON.stringify(gateway)}`);
  }
  const token = values.token ?? process.env.SA_TOKEN ?? null;
  if (target === 'http' && !dryRun && !token) {
    throw new UsageError(
      '--target http needs --token (or SA_TOKEN): npm run token -- --role provider --types enterprise.registered,enterprise.updated,enterprise.deregistered,certification.granted,certification.revoked,task.progress.reported',
    );
  }
  const simulation = {
    firms: wholeNumber('firms', values.firms, null, 0),
    from,
    to,
    seed: wholeNumber('seed', values.seed, 1, Number.MIN_SAFE_INTEGER),
  };
  try {
    checkOptions(simulation);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { simulation, rate, target, brokers, namespace, gateway, token, dryRun, json: values.json ?? false };
}

function summary(options: CliOptions, tally: Tally, seconds: number, answers: GatewayAnswers | null, peakRss: number): string {
  const { firms, from, to, seed } = options.simulation;
  const where = options.dryRun
    ? 'dry run (nothing published)'
    : options.target === 'kafka'
      ? `Kafka ${options.brokers.join(',')}${options.namespace ? ` namespace ${options.namespace}` : ''}`
      : `gateway ${options.gateway}`;
  const lines = [
    `${tally.records} records for ${firms} firms, ${from}..${to}, seed ${seed}: ${where}`,
    `  ${seconds.toFixed(1)} s, ${Math.round(tally.records / Math.max(seconds, 1e-9))} records/s, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
    '',
    `  ${'topic'.padEnd(32)}${'accepted'.padStart(10)}${'duplicate'.padStart(11)}${'rejected'.padStart(10)}`,
    ...Object.entries(tally.byTopic).map(
      ([topic, c]) => `  ${topic.padEnd(32)}${String(c.accepted).padStart(10)}${String(c.duplicate).padStart(11)}${String(c.rejected).padStart(10)}`,
    ),
    `  ${'total'.padEnd(32)}${String(tally.accepted).padStart(10)}${String(tally.duplicates).padStart(11)}${String(tally.records - tally.accepted - tally.duplicates).padStart(10)}`,
    '',
    `  intended rejections: ${
      Object.entries(tally.rejected)
        .sort()
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || 'none'
    }`,
  ];
  if (answers) {
    lines.push(
      `  gateway answered: accepted ${answers.accepted}, duplicate ${answers.duplicates}, rejected ${
        Object.entries(answers.rejected)
          .sort()
          .map(([r, n]) => `${r} ${n}`)
          .join(', ') || 'none'
      }`,
      '  (a duplicate of a record still in flight is answered "accepted"; ingestion decides it behind the gateway)',
    );
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message ? `simulate: ${err.message}\n` : ''}${USAGE}\n`);
      return 2;
    }
    throw err;
  }

  let publisher: Publisher | null = null;
  let http: HttpPublisher | null = null;
  if (!options.dryRun && options.target === 'kafka') {
    const client = new KafkaClient({ brokers: options.brokers, clientId: 'siliconalley-simulator', logger: createLogger('simulator', 'warn', process.stderr) });
    const kafka = new KafkaPublisher(client, options.namespace);
    publisher = kafka;
    try {
      await kafka.checkTopics();
    } catch (err) {
      await kafka.close().catch(() => undefined);
      process.stderr.write(`simulate: cannot publish to Kafka ${options.brokers.join(',')}: ${(err as Error).message}\n`);
      return 1;
    }
  } else if (!options.dryRun) {
    publisher = http = new HttpPublisher(options.gateway, options.token!);
  }

  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'simulate [{bar}] {percentage}% | {value}/{total} firms | {records} records | {rate} rec/s | ETA {eta_formatted}',
      hideCursor: true,
      // In a log (no TTY), a progress line every 5 s instead of a redrawn bar.
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  const tally = emptyTally();
  const started = Date.now();
  let peakRss = process.memoryUsage().rss;
  bar.start(options.simulation.firms, 0, { records: 0, rate: 0 });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  try {
    for (const cohort of simulateCohorts(options.simulation)) {
      if (publisher) await publisher.publish(cohort.records);
      for (const record of cohort.records) count(tally, record);
      if (options.rate !== null) {
        // Paced: never ahead of --rate records per second since the start.
        const due = started + (tally.records / options.rate) * 1000;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const seconds = (Date.now() - started) / 1000;
      bar.update(cohort.firmsDone, { records: tally.records, rate: Math.round(tally.records / Math.max(seconds, 1e-3)) });
      if (interrupted) break;
      // Let timers run (the progress bar redraws on one, Ctrl-C is noticed) even in a dry run.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    bar.stop();
    process.stderr.write(`simulate: publishing failed after ${tally.records} records: ${(err as Error).message}\n`);
    await publisher?.close().catch(() => undefined);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  bar.stop();
  await publisher?.close();
  const seconds = (Date.now() - started) / 1000;
  if (interrupted) process.stderr.write(`simulate: interrupted after ${tally.records} records\n`);
  if (options.json) process.stdout.write(`${JSON.stringify({ ...tally, seconds, peakRssBytes: peakRss, gateway: http?.answers ?? null })}\n`);
  else process.stdout.write(`${summary(options, tally, seconds, http?.answers ?? null, peakRss)}\n`);
  return interrupted ? 130 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`simulate: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
