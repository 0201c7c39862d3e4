#!/usr/bin/env node
// `npm run fuzz [-- --max-examples N --min-cases N --roles operator,provider --seed N]`
// Schema fuzzing of the public API with schemathesis: starts the services against the test stack
// (KAFKA_BROKERS / MONGO_URL, or a fresh test stack of its own when they are unset) in a random
// namespace with the small fixture, and fails on any server error, any response the OpenAPI
// document does not promise, too few cases, or a token in a log.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaBrokers, localDir, mongoUrl, SERVICES, Stack, testLayout } from '@siliconalley/devstack';
import { fuzz } from './run';
import { stopAllFuzzStacks } from './stack';
import type { FuzzRole } from './schemathesis';

/** Examples per operation in the fuzzing phase (share 1): with the coverage and examples phases, over 10,000 cases in all. */
export const DEFAULT_MAX_EXAMPLES = 2000;
export const DEFAULT_MIN_CASES = 10_000;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'max-examples': { type: 'string' },
      'min-cases': { type: 'string' },
      roles: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'max-time': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run fuzz -- [--max-examples N (default 2000)] [--min-cases N (default 10000)] [--roles operator,provider,evaluator] [--seed N] [--workers N] [--max-time SECONDS per role] [--out DIR]\n',
    );
    return 0;
  }
  const num = (name: string, v: string | undefined, fallback?: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (got ${v})`);
    return n;
  };
  const maxExamples = num('max-examples', values['max-examples'], DEFAULT_MAX_EXAMPLES)!;
  const minCases = num('min-cases', values['min-cases'], values['max-examples'] ? 0 : DEFAULT_MIN_CASES)!;
  const roles = values.roles?.split(',').map((r) => r.trim()) as FuzzRole[] | undefined;
  const bad = roles?.filter((r) => !['operator', 'provider', 'evaluator'].includes(r)) ?? [];
  if (bad.length) throw new Error(`--roles: unknown role(s) ${bad.join(', ')}; known: operator, provider, evaluator`);

  let infra: Stack | null = null;
  let brokers = process.env.KAFKA_BROKERS;
  let mongo = process.env.MONGO_URL;
  if (!brokers || !mongo) {
    process.stderr.write('[fuzz] KAFKA_BROKERS/MONGO_URL unset: starting a fresh test stack (.local/test-stack)\n');
    infra = new Stack({ layout: testLayout, fresh: true, scrape: SERVICES, say: (l) => process.stderr.write(`${l}\n`) });
    await infra.up();
    brokers = kafkaBrokers(testLayout);
    mongo = mongoUrl(testLayout);
  }
  const stopInfra = () => (infra ? infra.down() : Promise.resolve());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(130), 60_000).unref(); // whatever hangs in the clean-up
      void stopAllFuzzStacks()
        .then(stopInfra)
        .then(() => process.exit(130));
    });
  }
  try {
    const result = await fuzz({
      brokers: brokers.split(','),
      mongoUrl: mongo,
      maxExamples,
      roles,
      seed: num('seed', values.seed),
      workers: num('workers', values.workers),
      maxTimeSeconds: num('max-time', values['max-time']),
      outDir: values.out ?? join(localDir, 'fuzz'),
      echo: (chunk) => process.stdout.write(chunk),
    });
    process.stdout.write('\n[fuzz] responses per operation and status:\n');
    for (const [op, byStatus] of Object.entries(result.statuses).sort()) {
      process.stdout.write(
        `  ${op.padEnd(48)} ${Object.entries(byStatus)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}\n`,
      );
    }
    const problems: string[] = [];
    for (const r of result.runs) if (r.failures > 0 || r.exitCode !== 0) problems.push(`${r.name}: ${r.failures} failure(s), schemathesis exit ${r.exitCode}`);
    if (result.leakedTokens.length) problems.push(`token(s) of ${result.leakedTokens.join(', ')} found in the service logs`);
    if (result.cases < minCases) problems.push(`only ${result.cases} cases, fewer than --min-cases ${minCases}`);
    process.stdout.write(`[fuzz] ${result.cases} cases in ${result.runs.length} run(s), ${result.failures} failure(s), namespace ${result.namespace}\n`);
    if (problems.length) {
      process.stdout.write(`[fuzz] FAILED: ${problems.join('; ')}\n`);
      return 1;
    }
    process.stdout.write('[fuzz] passed: no server error, every response as documented, no token in a log\n');
    return 0;
  } finally {
    await stopInfra();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`[fuzz] ${err.message}\n`);
    process.exit(1);
  },
);
