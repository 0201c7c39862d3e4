#!/usr/bin/env node
// For the evaluation team: `npm run assess -- 2025-Q4 --format html > report.html` (or csv, json,
// xlsx, pdf; `--format csv --part actions` for the action lists).
// Prints the latest published version of a period (or --version N) from the running system's API on
// stdout, and nothing else. The period is checked here first, so a typo or a period that has not
// closed yet gets a clear message without a round trip.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedPeriod, PeriodError } from '@siliconalley/assessments';
import { chinaDateOf } from '@siliconalley/contract';

const FORMATS = ['json', 'csv', 'html', 'xlsx', 'pdf'];
const USAGE = `usage: npm run assess -- <period> [--format json|csv|html|xlsx|pdf] [--part kpis|actions] [--version N] [--run]
  period    2025 (year), 2025-Q4 (quarter) or 2025-10 (month); closed periods only
  --format  json (default), csv (the KPI table), html (the report), xlsx (Excel workbook: every
            table, one sheet each) or pdf (the report printed to A4); binary formats go to stdout
            as they are: redirect them to a file (> report.pdf)
  --part    with --format csv: kpis (default) or actions (the headline target's action lists)
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
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'json' },
        part: { type: 'string' },
        version: { type: 'string' },
        run: { type: 'boolean', default: false },
        help: { type: 'boolean' },
      },
    });
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
  if (!FORMATS.includes(format)) fail(`--format must be json, csv, html, xlsx or pdf (got ${JSON.stringify(format)})`);
  if (values.part !== undefined && !['kpis', 'actions'].includes(values.part)) fail(`--part must be kpis or actions (got ${JSON.stringify(values.part)})`);
  if (values.part !== undefined && format !== 'csv') fail('--part goes with --format csv (json and xlsx hold the action lists already)');
  // A workbook or a PDF on a terminal is noise (and can upset it): they are for a file.
  if ((format === 'xlsx' || format === 'pdf') && process.stdout.isTTY)
    fail(`--format ${format} writes a binary file to stdout: redirect it (> report.${format})`);
  if (values.version !== undefined && !/^[1-9]\d*$/.test(values.version))
    fail(`--version must be a positive whole number (got ${JSON.stringify(values.version)})`);
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
    execFileSync(
      process.execPath,
      [join(__dirname, '../../gateway/dist/token-cli.js'), '--role', values.run ? 'operator' : 'evaluator', '--label', 'npm run assess'],
      { encoding: 'utf8' },
    ).trim();
  const headers = { authorization: `Bearer ${token}` };
  const url = `${base}/api/v1/assessments/${period.id}`;
  try {
    if (values.run) {
      const ran = await fetch(`${url}/run`, { method: 'POST', headers });
      if (!ran.ok) fail(`run ${period.id}: ${ran.status} ${((await ran.json().catch(() => ({}))) as { detail?: string }).detail ?? ''}`, 1);
    }
    const qs = new URLSearchParams({ format, ...(values.part ? { part: values.part } : {}), ...(values.version ? { version: values.version } : {}) });
    const res = await fetch(`${url}?${qs}`, { headers });
    if (!res.ok) fail(`${period.id}: ${res.status} ${((await res.json().catch(() => ({}))) as { detail?: string }).detail ?? res.statusText}`, 1);
    process.stdout.write(Buffer.from(await res.arrayBuffer()));
  } catch (err) {
    fail(`cannot reach ${base} (${(err as Error).message}): is the stack running (npm start)?`, 1);
  }
}

void main();
