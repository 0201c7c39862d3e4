#!/usr/bin/env node
// For the evaluation team: `npm run assess -- 2025-Q4 --format html > report.html` (or csv, json).
// Prints the latest published version of a period (or --version N) from the running system's API on
// stdout, and nothing else. The period is checked here first, so a typo or a period that has not
// closed yet gets a clear message without a round trip.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedPeriod, PeriodError } from '@siliconalley/assessments';
import { chinaDateOf } from '@siliconalley/contract';

const USAGE = `usage: npm run assess -- <period> [--format json|csv|html] [--version N] [--run]
  period    2025 (year), 2025-Q4 (quarter) or 2025-10 (month); closed periods only
  --run     assess now first (operator token) instead of reading the published version
  env       SA_API_URL (default http://127.0.0.1:8080), SA_TOKEN (default: a new evaluator
            token for the local stack, as \`npm run token -- --role evaluator\` prints)`;

function fail(message: string, code = 2): never {
  process.stderr.write(`assess: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { format: { type: 'string', default: 'json' }, version: { type: 'string' }, run: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) fail(`give exactly one period\n${USAGE}`);
  const format = values.format!;
  if (!['json', 'csv', 'html'].includes(format)) fail(`--format must be json, csv or html (got ${JSON.stringify(format)})`);
  if (values.version !== undefined && !/^[1-9]\d*$/.test(values.version)) fail(`--version must be a positive whole number (got ${JSON.stringify(values.version)})`);
  let period;
  try {
    period = closedPeriod(positionals[0]!, chinaDateOf(new Date()));
  } catch (err) {
    if (err instanceof PeriodError) fail(err.message);
    throw err;
  }
  const base = (process.env.SA_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const token =
    process.env.SA_TOKEN ??
    execFileSync(process.execPath, [join(__dirname, '../../gateway/dist/token-cli.js'), '--role', values.run ? 'operator' : 'evaluator', '--label', 'npm run assess'], { encoding: 'utf8' }).trim();
  const headers = { authorization: `Bearer ${token}` };
  const url = `${base}/api/v1/assessments/${period.id}`;
  try {
    if (values.run) {
      const ran = await fetch(`${url}/run`, { method: 'POST', headers });
      if (!ran.ok) fail(`run ${period.id}: ${ran.status} ${((await ran.json().catch(() => ({}))) as { detail?: string }).detail ?? ''}`, 1);
    }
    const qs = new URLSearchParams({ format, ...(values.version ? { version: values.version } : {}) });
    const res = await fetch(`${url}?${qs}`, { headers });
    if (!res.ok) fail(`${period.id}: ${res.status} ${((await res.json().catch(() => ({}))) as { detail?: string }).detail ?? res.statusText}`, 1);
    process.stdout.write(Buffer.from(await res.arrayBuffer()));
  } catch (err) {
    fail(`cannot reach ${base} (${(err as Error).message}): is the stack running (npm start)?`, 1);
  }
}

void main();
