// The whole system (ingest, indicator, alerting, gateway as processes) on the test stack with the
// small fixture: hostile input on every query, path and body parameter is a 4xx problem, never a
// 5xx or a leak; then a short schemathesis pass (the CI one) over the OpenAPI document: no server
// error, no response the document does not promise, the writes exercised, no token in any log.
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { localDir } from '@siliconalley/devstack';
import { fuzzStack, RUN_PLANS, startFuzzStack, stopAllFuzzStacks, type FuzzStack } from '../../src';

// Starting four services and applying the fixture takes a minute on an idle machine, several on a busy one.
jest.setTimeout(900000);

let stack: FuzzStack;

beforeAll(async () => {
  const brokers = process.env.KAFKA_BROKERS;
  const mongoUrl = process.env.MONGO_URL;
  if (!brokers || !mongoUrl) throw new Error('integration tests need the test stack (KAFKA_BROKERS, MONGO_URL): run them with `npm test`');
  stack = await startFuzzStack({
    brokers: brokers.split(','),
    mongoUrl,
    logDir: join(localDir, 'fuzz', 'logs'),
    logLevel: 'debug',
    say: (l) => process.stderr.write(`${l}\n`),
  });
});

afterAll(async () => {
  // Also a stack whose start failed half-way (its services are detached processes).
  await stopAllFuzzStacks();
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** Raw HTTP (no client-side normalisation of the path or the query): method, path, headers, body. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  const url = new URL(stack.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const auth = (role: 'operator' | 'evaluator' | 'provider') => ({ authorization: `Bearer ${stack.tokens[role]}` });

/** A 4xx problem that says nothing about the inside: no stack trace, file path, driver or engine error. */
function expectRefused(what: string, a: Answer, status?: number): void {
  const summary = { what, status: a.status, type: a.type, body: a.body.slice(0, 300) };
  expect({ ...summary, client: a.status >= 400 && a.status < 500 }).toEqual({ ...summary, client: true });
  if (status !== undefined) expect({ what, status: a.status }).toEqual({ what, status });
  expect({ what, type: a.type }).toEqual({ what, type: expect.stringMatching(/^application\/problem\+json/) });
  const problem = JSON.parse(a.body) as { status: number; detail: string };
  expect(problem.status).toBe(a.status);
  for (const leak of [
    /\bat .+\.(js|ts):\d+/,
    /\/work\/|node_modules|\/dist\//,
    /RangeError|TypeError|SyntaxError: Unexpected/,
    /Mongo|mongoose|FerretDB|KafkaJS/i,
    /sa_[A-Za-z0-9_-]{20,}/,
  ]) {
    expect({ what, leak: leak.test(a.body) ? a.body.slice(0, 300) : null }).toEqual({ what, leak: null });
  }
}

// Hostile values, URL-encoded as a client would send them in a query string.
const HOSTILE_VALUES: [string, string][] = [
  ['operator object as JSON', encodeURIComponent('{"$gt":""}')],
  ['operator object $ne', encodeURIComponent('{"$ne":null}')],
  ['$where', encodeURIComponent('$where: sleep(1000)')],
  ['lone high surrogate (invalid UTF-8 bytes)', '%ED%A0%80'],
  ['lone low surrogate, escaped', encodeURIComponent('\\udc00')],
  ['RTL override', encodeURIComponent('2025\u202E03-06-')],
  ['NUL byte', '2025-06-30%00'],
  ['NUL only', '%00'],
  ['overlong UTF-8', '%C0%AE%C0%AE%2F'],
  ['path traversal', encodeURIComponent('../../etc/passwd')],
  ['10 000 characters', 'x'.repeat(10000)],
  ['CJK and emoji', encodeURIComponent('硅巷😀')],
  ['malformed percent-encoding', '%E4%B8'],
];

/** Every GET route with every query parameter, as a valid query to spoil one parameter at a time. */
const QUERY_ROUTES: { path: string; valid: Record<string, string>; optional?: string[] }[] = [
  { path: '/api/v1/kpis', valid: { asOf: '2025-06-30' } },
  { path: '/api/v1/kpis/series', valid: { id: 'certified_firms', scope: 'zone:QL', kind: 'HNTE', from: '2024-01-31', to: '2024-03-31', step: 'month' } },
  {
    path: '/api/v1/kpis/series',
    valid: { id: 'expiring_certifications', scope: 'district', kind: 'HNTE', within: '90', from: '2024-01-31', to: '2024-03-31' },
  },
  { path: '/api/v1/kpis/series', valid: { id: 'qualified_by_industry', scope: 'zone:QL', industry: 'AI', from: '2024-01-31', to: '2024-02-29' } },
  { path: '/api/v1/kpis/explain', valid: { id: 'qualified_firms', scope: 'district', asOf: '2025-06-30' } },
  { path: '/api/v1/targets', valid: { asOf: '2025-06-30' } },
  { path: '/api/v1/tasks', valid: { asOf: '2025-06-30' } },
  { path: '/api/v1/departments', valid: { asOf: '2025-06-30' } },
  { path: '/api/v1/targets/T6_ZONE_SHARE/decomposition', valid: { from: '2023-12-31', to: '2025-06-30' } },
];

const qs = (q: Record<string, string>) =>
  Object.entries(q)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

describe('hostile input on every query parameter (real services behind the gateway)', () => {
  it('answers the valid queries with 200, so that every refusal below is about the spoiled parameter', async () => {
    for (const r of QUERY_ROUTES) {
      const a = await send('GET', `${r.path}?${qs(r.valid)}`, auth('evaluator'));
      expect({ path: r.path, q: r.valid, status: a.status, body: a.status === 200 ? '' : a.body }).toEqual({ path: r.path, q: r.valid, status: 200, body: '' });
    }
  });

  it.each(QUERY_ROUTES.map((r) => [r.path, qs(r.valid), r] as const))('%s?%s: every parameter spoiled in every way is a 400 problem', async (_p, _q, route) => {
    for (const param of Object.keys(route.valid)) {
      const rest = Object.fromEntries(Object.entries(route.valid).filter(([k]) => k !== param));
      const base = qs(rest);
      const variants: [string, string][] = [
        ...HOSTILE_VALUES.map(([name, v]): [string, string] => [name, `${param}=${v}`]),
        ['operator key [$ne]', `${param}%5B%24ne%5D=`],
        ['operator key [$gt]', `${param}[$gt]=`],
        ['repeated parameter', `${param}=${encodeURIComponent(route.valid[param]!)}&${param}=${encodeURIComponent(route.valid[param]!)}`],
        ['prototype key', `__proto__[${param}]=1&${param}=${encodeURIComponent(route.valid[param]!)}`],
      ];
      for (const [name, spoiled] of variants) {
        const path = `${route.path}?${[base, spoiled].filter(Boolean).join('&')}`;
        const a = await send('GET', path, auth('operator'));
        // A prototype key is an unknown parameter (400); ignoring it would be fine too, but never 5xx.
        expectRefused(`${name} in ${param}: GET ${path.slice(0, 200)}`, a, 400);
      }
    }
  });

  it('ignores unknown and operator-looking parameters on /pipeline (no parameters), never 5xx', async () => {
    for (const v of HOSTILE_VALUES) {
      const a = await send('GET', `/api/v1/pipeline?topic=${v[1]}&lag%5B%24gt%5D=`, auth('provider'));
      expect({ v: v[0], status: a.status }).toEqual({ v: v[0], status: 200 });
    }
  });
});

describe('hostile path parameters', () => {
  const traversals = [
    '..%2F..%2Fetc',
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '%2E%2E%2F%2E%2E%2Fetc',
    '..%5C..%5Cwindows',
    '%00',
    '%ED%A0%80',
    '%E2%80%AEevil',
    `${'A'.repeat(5000)}`,
    '%7B%22%24gt%22%3A%22%22%7D',
    '..',
    '.',
  ];

  it.each(traversals)('targets/%s: 4xx problem for decomposition and delete, nothing leaks', async (id) => {
    expectRefused(`decomposition ${id}`, await send('GET', `/api/v1/targets/${id}/decomposition?from=2023-12-31&to=2025-06-30`, auth('evaluator')));
    expectRefused(`delete ${id}`, await send('DELETE', `/api/v1/targets/${id}`, auth('operator')));
  });

  it.each(traversals)('assessments/%s (periods): 4xx problem, nothing leaks', async (period) => {
    for (const path of [`/api/v1/assessments/${period}`, `/api/v1/assessments/${period}?version=1`, `/api/v1/assessments/2025?version=${period}`]) {
      expectRefused(`GET ${path.slice(0, 80)}`, await send('GET', path, auth('evaluator')));
      expectRefused(`GET ${path.slice(0, 80)} as text/csv`, await send('GET', path, { ...auth('evaluator'), accept: 'text/csv' }));
    }
    expectRefused(
      `POST run ${period}`,
      await send('POST', `/api/v1/assessments/${period}/run`, { ...auth('operator'), 'content-type': 'application/json' }, '{}'),
    );
  });

  it('unencoded ../ in the path never reaches a file: 4xx', async () => {
    for (const path of [
      '/api/v1/../../../etc/passwd',
      '/api/v1/targets/../../../../etc/passwd',
      '/api/v1/assessments/../../etc/passwd',
      '/api/v1/kpis/..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const a = await send('GET', path, auth('operator'));
      expect({ path, status: a.status }).toEqual({ path, status: expect.any(Number) });
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
      expect(a.body).not.toMatch(/root:|\[boot loader\]/);
    }
  });
});

const TARGET = {
  id: 'FUZZ_HOSTILE',
  kpi: 'qualified_firms',
  scope: 'zone:QL',
  baselineDate: '2024-12-31',
  target: { value: 80 },
  due: '2026-12-31',
  method: 'linear-v1',
};

/** A nested JSON value `depth` levels deep, as text (JSON.stringify would overflow the stack first). */
const deep = (depth: number, open = '[', close = ']', inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe('hostile bodies', () => {
  const post = (path: string, type: string, body: string | Buffer, role: 'operator' | 'provider' = 'operator', extra: Record<string, string> = {}) =>
    send('POST', path, { ...auth(role), 'content-type': type, ...extra }, body);

  it('refuses every field of a target definition spoiled in every way with a 400 problem, and stores none', async () => {
    const spoilers: [string, unknown][] = [
      ['operator object', { $gt: '' }],
      ['operator object $ne', { $ne: null }],
      ['$where', { $where: 'sleep(1000)' }],
      ['lone surrogate', '\ud800'],
      ['RTL override', '\u202Ezone:QL'],
      ['NUL', 'a\u0000b'],
      ['array', ['x']],
      ['null', null],
      ['huge number', 1e308],
      ['nested 200', JSON.parse(deep(200))],
    ];
    for (const field of [...Object.keys(TARGET), 'baselineValue', 'kind', 'industry', 'within']) {
      for (const [name, value] of spoilers) {
        if (field === 'baselineValue' && name === 'huge number') continue; // a valid baseline value
        const body = JSON.stringify({ ...TARGET, id: `FUZZ_${field}`, [field]: value });
        const a = await post('/api/v1/targets', 'application/json', body);
        // A field that does not belong to the KPI (kind, industry, within) may be refused as such; either way 400.
        expectRefused(`${name} in ${field}`, a, 400);
      }
    }
    const audit = await send('GET', '/api/v1/targets/audit', auth('operator'));
    expect(audit.status).toBe(200);
    expect((JSON.parse(audit.body) as { entries: { targetId: string }[] }).entries.map((e) => e.targetId).filter((id) => /FUZZ|\$|\u0000/.test(id))).toEqual(
      [],
    );
  });

  it('refuses operator objects and prototype keys at the top level of a target', async () => {
    for (const body of ['{"$gt":""}', '{"__proto__":{"admin":true},"id":"FUZZ_PROTO"}', '{"constructor":{"prototype":{"x":1}}}', '[]', '"x"', 'null', '1']) {
      expectRefused(`target body ${body}`, await post('/api/v1/targets', 'application/json', body), 400);
    }
  });

  it('refuses deep JSON: 400 or 413, never a stack overflow', async () => {
    for (const depth of [1000, 10000, 100000]) {
      expectRefused(`target nested ${depth}`, await post('/api/v1/targets', 'application/json', `{"id":"FUZZ_DEEP","target":${deep(depth)}}`));
      expectRefused(`target object nested ${depth}`, await post('/api/v1/targets', 'application/json', deep(depth, '{"a":', '}')));
      expectRefused(
        `event nested ${depth}`,
        await post('/api/v1/events', 'application/cloudevents+json', `{"specversion":"1.0","data":${deep(depth)}}`, 'provider'),
      );
      expectRefused(`batch nested ${depth}`, await post('/api/v1/events', 'application/cloudevents-batch+json', `[${deep(depth)}]`, 'provider'));
      expectRefused(
        `batch object nested ${depth}`,
        await post('/api/v1/events', 'application/cloudevents-batch+json', `[${deep(depth, '{"a":', '}')}]`, 'provider'),
      );
    }
  });

  it('refuses oversized bodies and records with 413 / 400 too_large', async () => {
    expectRefused('target of 200 KB', await post('/api/v1/targets', 'application/json', JSON.stringify({ ...TARGET, id: 'x'.repeat(200_000) })), 413);
    expectRefused('event of 6 MB', await post('/api/v1/events', 'application/cloudevents-batch+json', `[${'"x",'.repeat(1_500_000)}"x"]`, 'provider'), 413);
    const big = await post(
      '/api/v1/events',
      'application/cloudevents+json',
      JSON.stringify({ specversion: '1.0', id: 'big', source: 'urn:x', type: 'x', data: 'x'.repeat(300_000) }),
      'provider',
    );
    expectRefused('one record over 256 KiB', big, 400);
    expect(JSON.parse(big.body).reason).toBe('too_large');
  });

  it('refuses wrong content types and encodings with 415 or 400', async () => {
    const body = JSON.stringify(TARGET);
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) {
      expectRefused(`target as ${type || 'no type'}`, await post('/api/v1/targets', type, body), 415);
    }
    expectRefused('target in an unknown charset', await post('/api/v1/targets', 'application/json; charset=x-unknown', body), 415);
    expectRefused('target gzip that is not', await post('/api/v1/targets', 'application/json', body, 'operator', { 'content-encoding': 'gzip' }), 400);
    expectRefused('target in an unknown encoding', await post('/api/v1/targets', 'application/json', body, 'operator', { 'content-encoding': 'zstd-x' }), 415);
    for (const type of ['text/plain', 'application/xml', 'application/json; charset=utf-16', '']) {
      expectRefused(`event as ${type || 'no type'}`, await post('/api/v1/events', type, '{}', 'provider'), 415);
    }
    expectRefused(
      'event gzip that is not',
      await post('/api/v1/events', 'application/cloudevents+json', '{}', 'provider', { 'content-encoding': 'gzip' }),
      400,
    );
  });

  it('refuses malformed and unicode-hostile JSON with a 400 problem', async () => {
    const bodies = [
      '{"id":',
      '{"id":"\\ud800"}',
      '{"id":"\u0000"}',
      `{"id":"${'\u202E'.repeat(100)}"}`,
      '\uFEFF{"id":"x"}',
      '{"id":"x"}garbage',
      Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
    ];
    for (const b of bodies) {
      expectRefused(`target body ${String(b).slice(0, 30)}`, await post('/api/v1/targets', 'application/json', b), 400);
      expectRefused(`event body ${String(b).slice(0, 30)}`, await post('/api/v1/events', 'application/cloudevents+json', b, 'provider'), 400);
    }
  });
});

describe('schemathesis, short pass', () => {
  it('finds no server error and no response the OpenAPI document does not promise; the writes are exercised; no token in a log', async () => {
    const result = await fuzzStack(stack, {
      maxExamples: 8,
      outDir: join(localDir, 'fuzz'),
      // The database-bound operations get their examples phase only: a valid request costs seconds there.
      // One worker: schemathesis' coverage phase is not thread-safe on CPython 3.11 (a SystemError in
      // ast.parse from hypothesis was seen with 2 workers).
      plans: RUN_PLANS.filter((p) => p.name !== 'evaluator').map((p) => ({ ...p, workers: 1, ...(p.name === 'operator-db' ? { phases: 'examples' } : {}) })),
      say: () => undefined,
    });
    const summary = result.runs.map((r) => ({ run: r.name, exit: r.exitCode, failures: r.failures, output: r.exitCode === 0 ? '' : r.output.slice(-4000) }));
    expect(summary).toEqual(result.runs.map((r) => ({ run: r.name, exit: 0, failures: 0, output: '' })));
    expect(result.leakedTokens).toEqual([]);
    expect(result.cases).toBeGreaterThan(200);
    const fivexx = Object.entries(result.statuses).flatMap(([op, s]) =>
      Object.keys(s)
        .filter((c) => c.startsWith('5'))
        .map((c) => `${op} ${c}`),
    );
    expect(fivexx).toEqual([]);
    // The writes really ran: a target was created and deleted, events were accepted.
    expect(result.statuses['POST /api/v1/targets']?.['201'] ?? 0).toBeGreaterThan(0);
    expect((result.statuses['POST /api/v1/events']?.['202'] ?? 0) + (result.statuses['POST /api/v1/events']?.['200'] ?? 0)).toBeGreaterThan(0);
  });
});
