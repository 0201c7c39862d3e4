// One fuzzing session: start the system in a namespace, run schemathesis once per role, check that
// no token reached a log, stop everything. Used by the CLI (`npm run fuzz`) and the CI short pass.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leakedSecrets, startFuzzStack, type FuzzStack } from './stack';
import { RUN_PLANS, runSchemathesis, type FuzzRole, type RunPlan, type RunSummary } from './schemathesis';

export interface FuzzOptions {
  brokers: string[];
  mongoUrl: string;
  /** Examples per operation and phase for a share-1 role (schemathesis --max-examples). */
  maxExamples: number;
  roles?: FuzzRole[];
  seed?: number;
  workers?: number;
  /** Reports and service logs go under this directory. */
  outDir: string;
  /** Time budget per schemathesis run, seconds. */
  maxTimeSeconds?: number;
  /** Runs to make (default RUN_PLANS) and schemathesis phases (default examples,coverage,fuzzing). */
  plans?: RunPlan[];
  phases?: string;
  say?: (line: string) => void;
  echo?: (chunk: string) => void;
}

export interface OperationStats {
  /** "POST /api/v1/targets" → status code → responses. */
  [operation: string]: Record<string, number>;
}

export interface FuzzResult {
  namespace: string;
  runs: RunSummary[];
  cases: number;
  failures: number;
  /** Responses seen per operation and status (from the HAR reports). */
  statuses: OperationStats;
  /** Roles whose token appeared in a service log (must be none). */
  leakedTokens: FuzzRole[];
  ok: boolean;
}

/** The operation of a request: "GET /api/v1/targets/{id}/decomposition" for a concrete path. */
export function operationOf(method: string, path: string, templates: readonly string[]): string {
  for (const t of templates) {
    const re = new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    if (re.test(path)) return `${method} ${t}`;
  }
  return `${method} (undocumented path)`;
}

/** Status codes per operation from a schemathesis HAR report (every request it sent and the answer). */
export function statusesFromHar(text: string, templates: readonly string[], stats: OperationStats = {}): OperationStats {
  const har = JSON.parse(text) as { log?: { entries?: { request: { method: string; url: string }; response: { status: number } }[] } };
  for (const e of har.log?.entries ?? []) {
    const op = operationOf(e.request.method, new URL(e.request.url).pathname, templates);
    const byStatus = (stats[op] ??= {});
    byStatus[String(e.response.status)] = (byStatus[String(e.response.status)] ?? 0) + 1;
  }
  return stats;
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const say = opts.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  mkdirSync(opts.outDir, { recursive: true });
  const stack: FuzzStack = await startFuzzStack({ brokers: opts.brokers, mongoUrl: opts.mongoUrl, logDir: join(opts.outDir, 'logs'), logLevel: 'debug', say });
  try {
    return await fuzzStack(stack, opts);
  } finally {
    await stack.stop();
  }
}

/** Runs schemathesis once per plan against a running stack, then scans its logs for the tokens. */
export async function fuzzStack(stack: FuzzStack, opts: Omit<FuzzOptions, 'brokers' | 'mongoUrl'>): Promise<FuzzResult> {
  const say = opts.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const runs: RunSummary[] = [];
  const statuses: OperationStats = {};
  const doc = (await (await fetch(`${stack.baseUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
  // Literal paths first, so that /targets/audit is not taken for /targets/{id}.
  const params = (t: string) => t.split('{').length;
  const templates = Object.keys(doc.paths).sort((a, b) => params(a) - params(b) || b.length - a.length);
  const roles = opts.roles ?? RUN_PLANS.map((p) => p.role);
  for (const plan of (opts.plans ?? RUN_PLANS).filter((p) => roles.includes(p.role))) {
    const reportDir = join(opts.outDir, 'reports', stack.namespace, plan.name);
    say(`[fuzz] schemathesis run ${plan.name} as ${plan.role} against ${stack.baseUrl}/api/v1/openapi.json (reports: ${reportDir})`);
    const run = await runSchemathesis(
      {
        baseUrl: stack.baseUrl,
        token: stack.tokens[plan.role],
        plan,
        maxExamples: opts.maxExamples,
        seed: opts.seed,
        workers: opts.workers,
        reportDir,
        maxTimeSeconds: opts.maxTimeSeconds,
        phases: opts.phases,
      },
      opts.echo,
    );
    say(`[fuzz] ${plan.name}: ${run.cases} cases, ${run.failures} failures (exit ${run.exitCode})`);
    runs.push(run);
    for (const f of readdirSync(reportDir).filter((n) => n.startsWith('har') && n.endsWith('.json')))
      statusesFromHar(readFileSync(join(reportDir, f), 'utf8'), templates, statuses);
  }
  const logs = stack.logs();
  const leakedTokens = (Object.keys(stack.tokens) as FuzzRole[]).filter((role) => leakedSecrets(logs, [stack.tokens[role]]).length > 0);
  const cases = runs.reduce((n, r) => n + r.cases, 0);
  const failures = runs.reduce((n, r) => n + r.failures, 0);
  const ok = runs.length > 0 && runs.every((r) => r.exitCode === 0 && r.failures === 0) && leakedTokens.length === 0;
  return { namespace: stack.namespace, runs, cases, failures, statuses, leakedTokens, ok };
}
