// The runner's pure parts: the schemathesis command line per run, reading its summary, the status
// table from HAR reports, and the log scan for tokens.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKS,
  leakedSecrets,
  operationOf,
  parseSummary,
  RUN_PLANS,
  schemathesisArgs,
  schemathesisBinary,
  schemathesisVersion,
  statusesFromHar,
} from '../../src';

const TEMPLATES = [
  '/api/v1/targets/audit',
  '/api/v1/kpis/series',
  '/api/v1/targets',
  '/api/v1/kpis',
  '/api/v1/targets/{id}/decomposition',
  '/api/v1/targets/{id}',
];

describe('schemathesis command line', () => {
  const base = { baseUrl: 'http://127.0.0.1:1234', token: 'sa_secret', maxExamples: 100, reportDir: '/tmp/r' };

  it('runs the document of the running gateway with the token, every conformance check, and reports', () => {
    const args = schemathesisArgs({ ...base, plan: RUN_PLANS[0]! });
    expect(args.slice(0, 4)).toEqual(['run', 'http://127.0.0.1:1234/api/v1/openapi.json', '--url', 'http://127.0.0.1:1234']);
    const opt = (name: string) => args[args.indexOf(name) + 1];
    expect(opt('--checks')!.split(',')).toEqual([...CHECKS]);
    expect(CHECKS).toEqual(
      expect.arrayContaining(['not_a_server_error', 'status_code_conformance', 'response_schema_conformance', 'content_type_conformance']),
    );
    expect(opt('--header')).toBe('Authorization: Bearer sa_secret');
    expect(opt('--max-examples')).toBe('100');
    expect(opt('--report')).toBe('junit,har');
    expect(opt('--report-dir')).toBe('/tmp/r');
    expect(opt('--phases')).toBe('examples,coverage,fuzzing');
  });

  it('gives each run its operations and share of the examples', () => {
    const db = RUN_PLANS.find((p) => p.name === 'operator-db')!;
    const args = schemathesisArgs({ ...base, plan: db, seed: 7, maxTimeSeconds: 60, phases: 'examples,coverage' });
    expect(args[args.indexOf('--max-examples') + 1]).toBe('5');
    expect(schemathesisArgs({ ...base, maxExamples: 2, plan: db }).includes('2')).toBe(true);
    const evaluator = RUN_PLANS.find((p) => p.name === 'evaluator')!;
    expect(schemathesisArgs({ ...base, plan: evaluator })[schemathesisArgs({ ...base, plan: evaluator }).indexOf('--max-examples') + 1]).toBe(
      String(100 * evaluator.share),
    );
    expect(args[args.indexOf('--include-name-regex') + 1]).toBe(db.include);
    expect(args.slice(args.indexOf('--seed'), args.indexOf('--seed') + 2)).toEqual(['--seed', '7']);
    expect(args[args.indexOf('--phases') + 1]).toBe('examples,fuzzing');
    expect(args).toContain('--max-time');
  });

  it('covers every operation with a role allowed to call it, writes with the operator and ingest with the provider', () => {
    const ops = [
      'GET /api/v1/kpis',
      'POST /api/v1/targets',
      'DELETE /api/v1/targets/{id}',
      'GET /api/v1/pipeline',
      'GET /api/v1/tasks',
      'POST /api/v1/events',
      'POST /api/v1/assessments/{period}/run',
    ];
    const runsOf = (op: string) =>
      RUN_PLANS.filter((p) => (!p.include || new RegExp(p.include).test(op)) && (!p.exclude || !new RegExp(p.exclude).test(op))).map((p) => p.role);
    for (const op of ops) expect({ op, runs: runsOf(op).length > 0 }).toEqual({ op, runs: true });
    expect(runsOf('POST /api/v1/targets')).toContain('operator');
    expect(runsOf('POST /api/v1/assessments/{period}/run')).toContain('operator');
    expect(runsOf('POST /api/v1/events')).toContain('provider');
    expect(runsOf('POST /api/v1/events')).not.toContain('operator');
  });

  it('finds the pinned version in infra/local/versions.env and names a missing venv', () => {
    const root = mkdtempSync(join(tmpdir(), 'fuzz-'));
    mkdirSync(join(root, 'infra/local'), { recursive: true });
    writeFileSync(join(root, 'infra/local/versions.env'), 'KAFKA_VERSION=1\nSCHEMATHESIS_VERSION=9.9.9\n');
    expect(schemathesisVersion(root)).toBe('9.9.9');
    expect(() => schemathesisBinary(root)).toThrow(/schemathesis-9\.9\.9\/bin\/schemathesis missing\): run `npm run provision`/);
    expect(schemathesisVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('reading the results', () => {
  it('reads cases and failures from the closing summary', () => {
    expect(parseSummary('Test cases:\n  679 generated, 4 found 8 unique failures\n')).toEqual({ cases: 679, failures: 8 });
    expect(parseSummary('Test cases:\n  12,345 generated, 12,345 passed\n')).toEqual({ cases: 12345, failures: 0 });
    expect(parseSummary('\x1b[1mTest cases:\x1b[0m\n  776 generated, 1 found 1 unique failure, 23 errored')).toEqual({ cases: 776, failures: 1 });
    expect(parseSummary('crashed')).toEqual({ cases: 0, failures: 0 });
  });

  it('names the operation of a concrete path, literal paths before templates', () => {
    expect(operationOf('GET', '/api/v1/targets/audit', TEMPLATES)).toBe('GET /api/v1/targets/audit');
    expect(operationOf('DELETE', '/api/v1/targets/QL%2FX', TEMPLATES)).toBe('DELETE /api/v1/targets/{id}');
    expect(operationOf('GET', '/api/v1/targets/T6/decomposition', TEMPLATES)).toBe('GET /api/v1/targets/{id}/decomposition');
    expect(operationOf('GET', '/api/v1/kpis', TEMPLATES)).toBe('GET /api/v1/kpis');
    expect(operationOf('GET', '/api/v1/kpisx', TEMPLATES)).toBe('GET (undocumented path)');
  });

  it('counts responses per operation and status from HAR reports', () => {
    const entry = (method: string, url: string, status: number) => ({ request: { method, url }, response: { status } });
    const har = JSON.stringify({
      log: {
        entries: [
          entry('POST', 'http://h/api/v1/targets', 201),
          entry('POST', 'http://h/api/v1/targets', 400),
          entry('POST', 'http://h/api/v1/targets', 400),
          entry('GET', 'http://h/api/v1/targets/audit?x=1', 200),
          entry('DELETE', 'http://h/api/v1/targets/A', 404),
        ],
      },
    });
    const stats = statusesFromHar(har, TEMPLATES);
    expect(stats).toEqual({
      'POST /api/v1/targets': { '201': 1, '400': 2 },
      'GET /api/v1/targets/audit': { '200': 1 },
      'DELETE /api/v1/targets/{id}': { '404': 1 },
    });
    statusesFromHar(har, TEMPLATES, stats);
    expect(stats['POST /api/v1/targets']).toEqual({ '201': 2, '400': 4 });
  });

  it('finds tokens in log text', () => {
    const logs = '{"msg":"request","path":"/api/v1/kpis"}\n{"authorization":"[redacted]"}\n{"path":"/api/v1/sa_leaked"}';
    expect(leakedSecrets(logs, ['sa_leaked', 'sa_other', ''])).toEqual(['sa_leaked']);
    expect(leakedSecrets(logs, ['sa_other'])).toEqual([]);
  });
});
