// Schemathesis (PyPI), provisioned by infra/local/bootstrap.sh into .local/tools/schemathesis-<ver>/
// at the version pinned in infra/local/versions.env: how to find it, which runs to make, and how
// to read what it found.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@siliconalley/devstack';

/** The checks that make a response wrong: a server error, or anything the document does not promise. */
export const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
] as const;

export function schemathesisVersion(root = repoRoot): string {
  const text = readFileSync(join(root, 'infra/local/versions.env'), 'utf8');
  const m = /^SCHEMATHESIS_VERSION=(.+)$/m.exec(text);
  if (!m?.[1]) throw new Error('infra/local/versions.env lacks SCHEMATHESIS_VERSION');
  return m[1].trim();
}

/** The provisioned executable; a readable error when bootstrap.sh has not run. */
export function schemathesisBinary(root = repoRoot): string {
  const bin = join(root, '.local', 'tools', `schemathesis-${schemathesisVersion(root)}`, 'bin', 'schemathesis');
  if (!existsSync(bin)) throw new Error(`schemathesis is not provisioned (${bin} missing): run \`npm run provision\` (infra/local/bootstrap.sh)`);
  return bin;
}

export type FuzzRole = 'operator' | 'evaluator' | 'provider';

/** One schemathesis run: a role's token over the operations that role may call. */
export interface RunPlan {
  /** Names the run in reports ("operator", "operator-db"). */
  name: string;
  role: FuzzRole;
  /** Operation-name regex ("GET /api/v1/kpis"): schemathesis --include-name-regex / --exclude-name-regex. */
  include?: string;
  exclude?: string;
  /** Share of the per-operation example budget. */
  share: number;
  /** Examples per operation whatever the budget (instead of the share). */
  examples?: number;
  /** Schemathesis phases of this run (default: the run's). */
  phases?: string;
  /** Concurrent requests of this run (default: the run's). */
  workers?: number;
}

/**
 * Operations that scan the database on every valid request (pipeline counts, target judgements,
 * plan tasks, department scorecards, the assessment list, an assessment run: seconds each on
 * FerretDB, tens of seconds under load) get a few examples, no coverage phase and one request at
 * a time, so that the budget goes to the many cheap cases.
 */
export const DB_READS = '^(GET /api/v1/(pipeline|targets|tasks|departments|assessments)|POST /api/v1/assessments/\\{period\\}/run)$';
const INGEST = '^POST /api/v1/events$';

/**
 * Operator: every operation but ingest (its writes: POST /targets, DELETE /targets/{id}, assessment
 * runs); provider: ingest and the pipeline; evaluator: everything, to check its refusals (403) too.
 */
export const RUN_PLANS: RunPlan[] = [
  { name: 'operator', role: 'operator', exclude: `${DB_READS}|${INGEST}`, share: 1 },
  // One at a time: concurrent scans queue on the database past the gateway's 30 s upstream timeout (503).
  { name: 'operator-db', role: 'operator', include: DB_READS, share: 0, examples: 5, phases: 'examples,fuzzing', workers: 1 },
  { name: 'provider', role: 'provider', include: INGEST, share: 1 },
  { name: 'evaluator', role: 'evaluator', exclude: DB_READS, share: 0.25 },
];

export interface RunOptions {
  baseUrl: string;
  token: string;
  plan: RunPlan;
  maxExamples: number;
  seed?: number;
  workers?: number;
  /** Directory for the JUnit and HAR reports of this run. */
  reportDir: string;
  maxTimeSeconds?: number;
  phases?: string;
}

export function schemathesisArgs(o: RunOptions): string[] {
  const args = [
    'run',
    `${o.baseUrl}/api/v1/openapi.json`,
    '--url',
    o.baseUrl,
    '--checks',
    CHECKS.join(','),
    '--phases',
    o.plan.phases ?? o.phases ?? 'examples,coverage,fuzzing',
    '--max-examples',
    String(o.plan.examples !== undefined ? Math.min(o.plan.examples, o.maxExamples) : Math.max(1, Math.round(o.maxExamples * o.plan.share))),
    '--workers',
    // Default 1: the coverage phase is not thread-safe on CPython 3.11 (SystemError in ast.parse).
    String(o.plan.workers ?? o.workers ?? 1),
    '--header',
    `Authorization: Bearer ${o.token}`,
    '--request-timeout',
    '60',
    '--continue-on-failure',
    '--suppress-health-check',
    'all',
    '--generation-database',
    'none',
    '--report',
    'junit,har',
    '--report-dir',
    o.reportDir,
    '--no-color',
  ];
  if (o.plan.include) args.push('--include-name-regex', o.plan.include);
  if (o.plan.exclude) args.push('--exclude-name-regex', o.plan.exclude);
  if (o.seed !== undefined) args.push('--seed', String(o.seed));
  if (o.maxTimeSeconds !== undefined) args.push('--max-time', String(o.maxTimeSeconds));
  return args;
}

export interface RunSummary {
  name: string;
  role: FuzzRole;
  exitCode: number | null;
  /** Test cases schemathesis generated and sent. */
  cases: number;
  /** Distinct failures (by check and operation). */
  failures: number;
  output: string;
}

/** Reads "Test cases: N generated, …" and the failure count from schemathesis' closing summary. */
export function parseSummary(output: string): { cases: number; failures: number } {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const cases = /Test cases:\s*([\d,]+)\s+generated/i.exec(clean);
  let failures = 0;
  const failed = /(\d+)\s+unique failures?/i.exec(clean) ?? /Failures:\s*(\d+)/i.exec(clean);
  if (failed?.[1]) failures = Number(failed[1]);
  return { cases: cases?.[1] ? Number(cases[1].replace(/,/g, '')) : 0, failures };
}

/** Runs schemathesis; its output goes to `echo` as it comes and is returned, with the token masked. */
export function runSchemathesis(o: RunOptions, echo: (chunk: string) => void = () => undefined): Promise<RunSummary> {
  const bin = schemathesisBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, schemathesisArgs(o), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' } });
    let output = '';
    const take = (c: Buffer) => {
      const text = c.toString('utf8').split(o.token).join('[token]');
      output += text;
      echo(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const { cases, failures } = parseSummary(output);
      resolve({ name: o.plan.name, role: o.plan.role, exitCode, cases, failures, output });
    });
  });
}
