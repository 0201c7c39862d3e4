// The edge on the real store and broker: who may call what (RBAC matrix), problem+json for every
// error, forwarding to the indicator (and 503 when it is down), hostile input, security headers,
// CORS and rate limiting.
import request from 'supertest';
import type { Express } from 'express';
import {
  bearer,
  closeServer,
  deadPort,
  expectProblem,
  issueTokens,
  listenLocal,
  openStack,
  rawHttp,
  registered,
  startUpstream,
  type Stack,
  type Tokens,
  type Upstream,
} from './harness';

jest.setTimeout(120000);

let stack: Stack;
let tokens: Tokens;
let upstream: Upstream;
let app: Express;

beforeAll(async () => {
  stack = await openStack();
  tokens = await issueTokens(stack.store);
  upstream = await startUpstream(stack.env.internalApiSecret);
  app = stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url });
});

afterAll(async () => {
  await upstream?.close();
  await stack?.close();
});

type Caller = 'none' | 'malformed' | 'unknown' | 'revoked' | 'provider' | 'evaluator' | 'operator';
const CALLERS: Caller[] = ['none', 'malformed', 'unknown', 'revoked', 'provider', 'evaluator', 'operator'];

const authorization = (caller: Caller): string | undefined => {
  switch (caller) {
    case 'none':
      return undefined;
    case 'malformed':
      return `Token ${tokens.evaluator}`; // a real token, but not a Bearer credential
    case 'unknown':
      return bearer('sa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'); // well-formed, never issued
    case 'revoked':
      return bearer(tokens.revoked);
    default:
      return bearer(tokens[caller]);
  }
};

interface Route {
  name: string;
  call: (auth: string | undefined) => request.Test;
  /** Status for a known token, per role; unauthenticated callers get 401 unless `public`. */
  allowed: Record<'provider' | 'evaluator' | 'operator', number>;
  public?: boolean;
  upstream?: string;
}

const withAuth = (t: request.Test, auth: string | undefined) => (auth === undefined ? t : t.set('Authorization', auth));

const OPERATOR_TARGET = {
  id: 'OP_TARGET',
  kpi: 'qualified_firms',
  scope: 'zone:QL',
  baselineDate: '2024-12-31',
  target: { value: 80 },
  due: '2026-12-31',
  method: 'linear-v1',
};

const ROUTES: Route[] = [
  {
    name: 'GET /api/v1/kpis',
    upstream: '/kpis',
    call: (a) => withAuth(request(app).get('/api/v1/kpis?asOf=2025-06-30'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'GET /api/v1/kpis/series',
    upstream: '/kpis/series',
    call: (a) => withAuth(request(app).get('/api/v1/kpis/series?id=zone_share&scope=zone:QL&from=2024-01-31&to=2024-03-31&step=month'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'GET /api/v1/kpis/explain',
    upstream: '/kpis/explain',
    call: (a) => withAuth(request(app).get('/api/v1/kpis/explain?id=qualified_firms&scope=district&asOf=2025-06-30'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  ...(['targets', 'tasks', 'departments'] as const).map(
    (path): Route => ({
      name: `GET /api/v1/${path}`,
      upstream: `/${path}`,
      call: (a) => withAuth(request(app).get(`/api/v1/${path}?asOf=2025-06-30`), a),
      allowed: { provider: 403, evaluator: 200, operator: 200 },
    }),
  ),
  {
    name: 'POST /api/v1/targets',
    upstream: '/targets',
    call: (a) => withAuth(request(app).post('/api/v1/targets').set('Content-Type', 'application/json').send(JSON.stringify(OPERATOR_TARGET)), a),
    allowed: { provider: 403, evaluator: 403, operator: 201 },
  },
  {
    name: 'DELETE /api/v1/targets/{id}',
    upstream: '/targets/OP_TARGET',
    call: (a) => withAuth(request(app).delete('/api/v1/targets/OP_TARGET'), a),
    allowed: { provider: 403, evaluator: 403, operator: 204 },
  },
  {
    name: 'GET /api/v1/targets/audit',
    upstream: '/targets/audit',
    call: (a) => withAuth(request(app).get('/api/v1/targets/audit'), a),
    allowed: { provider: 403, evaluator: 403, operator: 200 },
  },
  {
    name: 'GET /api/v1/targets/{id}/decomposition',
    upstream: '/targets/T6_ZONE_SHARE/decomposition',
    call: (a) => withAuth(request(app).get('/api/v1/targets/T6_ZONE_SHARE/decomposition?from=2023-12-31&to=2025-12-31'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'GET /api/v1/targets/{id}/actions',
    upstream: '/targets/T6_ZONE_SHARE/actions',
    call: (a) => withAuth(request(app).get('/api/v1/targets/T6_ZONE_SHARE/actions?asOf=2025-06-30&within=180'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'POST /api/v1/what-if',
    upstream: '/what-if',
    call: (a) =>
      withAuth(
        request(app)
          .post('/api/v1/what-if?asOf=2026-12-31')
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ events: [] })),
        a,
      ),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'GET /api/v1/assessments',
    upstream: '/assessments',
    call: (a) => withAuth(request(app).get('/api/v1/assessments'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'GET /api/v1/assessments/{period}',
    upstream: '/assessments/2025-Q4',
    call: (a) => withAuth(request(app).get('/api/v1/assessments/2025-Q4?version=1'), a),
    allowed: { provider: 403, evaluator: 200, operator: 200 },
  },
  {
    name: 'POST /api/v1/assessments/{period}/run',
    upstream: '/assessments/2025-Q4/run',
    call: (a) => withAuth(request(app).post('/api/v1/assessments/2025-Q4/run'), a),
    allowed: { provider: 403, evaluator: 403, operator: 200 },
  },
  // The pipeline view asks the indicator how far it applied the accepted topic.
  {
    name: 'GET /api/v1/pipeline',
    upstream: '/partial/applied',
    call: (a) => withAuth(request(app).get('/api/v1/pipeline'), a),
    allowed: { provider: 200, evaluator: 200, operator: 200 },
  },
  {
    name: 'POST /api/v1/events',
    call: (a) =>
      withAuth(
        request(app)
          .post('/api/v1/events')
          .set('Content-Type', 'application/cloudevents+json')
          .send(JSON.stringify(registered(7))),
        a,
      ),
    allowed: { provider: 202, evaluator: 403, operator: 403 },
  },
  {
    name: 'GET /api/v1/openapi.json',
    public: true,
    call: (a) => withAuth(request(app).get('/api/v1/openapi.json'), a),
    allowed: { provider: 200, evaluator: 200, operator: 200 },
  },
];

const expectedStatus = (route: Route, caller: Caller): number => {
  if (caller === 'provider' || caller === 'evaluator' || caller === 'operator') return route.allowed[caller];
  return route.public ? 200 : 401;
};

describe('RBAC matrix: every route × every caller', () => {
  const cases = ROUTES.flatMap((route) => CALLERS.map((caller) => [route.name, caller, expectedStatus(route, caller)] as const));

  it.each(cases)('%s as %s → %i', async (name, caller, status) => {
    const route = ROUTES.find((r) => r.name === name)!;
    const before = upstream.requests.length;
    const res = await route.call(authorization(caller));
    expect(res.status).toBe(status);
    if (status === 401) {
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe(caller === 'none' || caller === 'malformed' ? 'Bearer' : 'Bearer error="invalid_token"');
      expect(JSON.parse(res.text).detail).toMatch(caller === 'unknown' || caller === 'revoked' ? /unknown or revoked/ : /Authorization: Bearer <token>/);
    } else if (status === 403) {
      expectProblem(res, 403, new RegExp(`needs the role .*; the token has the role ${caller}`));
      expect(res.headers['www-authenticate']).toBeUndefined();
    } else if (status !== 204) {
      expect(res.headers['content-type']).toMatch(/^application\/json\b/);
    }
    // Only an allowed caller reaches the upstream service, and it reaches it exactly once.
    const allowed = status >= 200 && status < 300;
    const forwarded = upstream.requests.slice(before);
    expect(forwarded.length).toBe(route.upstream && allowed ? 1 : 0);
    if (route.upstream && allowed) expect(forwarded[0]!.url.split('?')[0]).toBe(route.upstream);
  });

  it('gives the bodies the routes promise to allowed callers', async () => {
    const kpis = await request(app).get('/api/v1/kpis?asOf=2025-06-30').set('Authorization', bearer(tokens.evaluator)).expect(200);
    expect(kpis.body).toEqual({ asOf: '2025-06-30', kpis: [{ id: 'qualified_firms', scope: 'district', value: 812 }] });

    const pipeline = await request(app).get('/api/v1/pipeline').set('Authorization', bearer(tokens.operator)).expect(200);
    expect(pipeline.body).toMatchObject({
      accepted: 0,
      duplicates: 0,
      rejected: {},
      lag: expect.any(Number),
      indicator: { topic: stack.kafka.topic('siliconalley.accepted.v1') },
    });
    expect(pipeline.body.topics.map((t: { topic: string }) => t.topic)).toEqual(
      ['siliconalley.enterprise.v1', 'siliconalley.certification.v1', 'siliconalley.task.v1'].map((t) => stack.kafka.topic(t)),
    );

    const openapi = await request(app).get('/api/v1/openapi.json').expect(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/kpis',
        '/api/v1/kpis/series',
        '/api/v1/kpis/explain',
        '/api/v1/targets',
        '/api/v1/targets/{id}',
        '/api/v1/targets/audit',
        '/api/v1/targets/{id}/decomposition',
        '/api/v1/targets/{id}/actions',
        '/api/v1/what-if',
        '/api/v1/tasks',
        '/api/v1/departments',
        '/api/v1/assessments',
        '/api/v1/assessments/{period}',
        '/api/v1/assessments/{period}/run',
      ]),
    );
    // One grammar for target ids: the definition's and the path's.
    const targetId = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' };
    expect(openapi.body.components.schemas.TargetDefinition.properties.id).toEqual(targetId);
    expect(openapi.body.paths['/api/v1/targets/{id}'].delete.parameters[0]).toMatchObject({ name: 'id', in: 'path', schema: targetId });
    expect(openapi.body.paths['/api/v1/targets/{id}/decomposition'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', schema: targetId });
  });

  it('accepts the bearer scheme case-insensitively (RFC 7235) and rejects an empty credential', async () => {
    await request(app).get('/api/v1/pipeline').set('Authorization', `bearer ${tokens.evaluator}`).expect(200);
    await request(app).get('/api/v1/pipeline').set('Authorization', `BEARER ${tokens.evaluator}`).expect(200);
    for (const header of ['Bearer', 'Bearer ', 'Bearer  ', `Basic ${Buffer.from('user:pass').toString('base64')}`, tokens.evaluator]) {
      const res = await request(app).get('/api/v1/pipeline').set('Authorization', header);
      expectProblem(res, 401, /Authorization: Bearer <token>/);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers unknown routes with a 404 problem once authenticated, and 401 before', async () => {
    expectProblem(await request(app).get('/api/v1/nothing-here'), 401);
    expectProblem(await request(app).get('/api/v1/nothing-here').set('Authorization', bearer(tokens.operator)), 404, /no route GET \/api\/v1\/nothing-here/);
    expectProblem(await request(app).get('/elsewhere'), 404, /openapi\.json/);
  });
});

describe('forwarding to the indicator', () => {
  it('passes the query string verbatim and Accept, but never the token, and relays status, type and body', async () => {
    const before = upstream.requests.length;
    const res = await request(app)
      .get('/api/v1/kpis/series?id=zone_share&scope=zone%3AQL&from=2024-01-31&to=2024-03-31')
      .set('Authorization', bearer(tokens.evaluator))
      .set('Accept', 'application/json')
      .set('Cookie', 'session=secret')
      .expect(200);
    expect(res.body).toEqual({ id: 'zone_share', scope: 'zone:QL', points: [{ asOf: '2024-01-31', value: 0.07 }] });
    const [forwarded] = upstream.requests.slice(before);
    expect(forwarded!.url).toBe('/kpis/series?id=zone_share&scope=zone%3AQL&from=2024-01-31&to=2024-03-31');
    expect(forwarded!.headers.accept).toBe('application/json');
    expect(forwarded!.headers.authorization).toBeUndefined();
    expect(forwarded!.headers.cookie).toBeUndefined();
  });

  it("relays the indicator's problems (400 for a bad or future asOf) with their detail", async () => {
    const bad = await request(app).get('/api/v1/kpis?asOf=2025-13-45').set('Authorization', bearer(tokens.evaluator));
    expectProblem(bad, 400, /asOf: must be a calendar date YYYY-MM-DD/);
    const future = await request(app).get('/api/v1/kpis?asOf=2099-01-01').set('Authorization', bearer(tokens.evaluator));
    expectProblem(future, 400, /asOf: is in the future/);
    const unknown = await request(app).get('/api/v1/kpis?foo=1').set('Authorization', bearer(tokens.evaluator));
    expectProblem(unknown, 400, /unknown parameter\(s\) `foo`/);
    // The problem names the public path, not the indicator's internal one.
    expect(JSON.parse(bad.text).instance).toBe('/api/v1/kpis');
  });

  it('relays Retry-After of an indicator that is rebuilding (503)', async () => {
    upstream.answerOnce('/kpis', {
      status: 503,
      type: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the indicator is rebuilding its state; retry in a few seconds',
      }),
      headers: { 'Retry-After': '7' },
    });
    const res = await request(app).get('/api/v1/kpis').set('Authorization', bearer(tokens.operator));
    expectProblem(res, 503, /rebuilding/);
    expect(res.headers['retry-after']).toBe('7');
  });

  it('answers 503 problem+json with Retry-After when the indicator is down', async () => {
    const down = stack.app({ indicatorUrls: [`http://127.0.0.1:${await deadPort()}`] });
    for (const path of [
      '/api/v1/kpis',
      '/api/v1/kpis/series?id=zone_share&scope=district&from=2024-01-31&to=2024-02-29',
      '/api/v1/kpis/explain?id=qualified_firms&scope=district',
    ]) {
      const res = await request(down).get(path).set('Authorization', bearer(tokens.evaluator));
      expectProblem(res, 503, new RegExp(`the service behind ${path.split('?')[0]!.replace('/api/v1', '')} is unavailable; retry shortly`));
      expect(res.headers['retry-after']).toBe('5');
    }
  });
});

describe('target management through the gateway', () => {
  it('forwards a write with its JSON body and the caller (token prefix), never a caller-supplied actor', async () => {
    const before = upstream.requests.length;
    const res = await request(app)
      .post('/api/v1/targets')
      .set('Authorization', bearer(tokens.operator))
      .set('Content-Type', 'application/json')
      .set('x-sa-actor', 'someone-else')
      .send(JSON.stringify(OPERATOR_TARGET))
      .expect(201);
    expect(res.headers.location).toBe('/api/v1/targets/OP_TARGET');
    expect(res.body).toEqual(OPERATOR_TARGET);
    const [forwarded] = upstream.requests.slice(before);
    expect(forwarded).toMatchObject({ method: 'POST', url: '/targets', body: OPERATOR_TARGET });
    expect(forwarded!.headers['x-sa-actor']).toBe(tokens.operator.slice(0, 8));
    expect(forwarded!.headers.authorization).toBeUndefined();

    const del = upstream.requests.length;
    await request(app).delete('/api/v1/targets/OP%20X').set('Authorization', bearer(tokens.operator)).expect(204);
    expect(upstream.requests[del]).toMatchObject({ method: 'DELETE', url: '/targets/OP%20X' });
    expect(upstream.requests[del]!.headers['x-sa-actor']).toBe(tokens.operator.slice(0, 8));
  });

  it('refuses a non-JSON body with 415 and malformed JSON with 400, before the upstream', async () => {
    const before = upstream.requests.length;
    expectProblem(
      await request(app).post('/api/v1/targets').set('Authorization', bearer(tokens.operator)).set('Content-Type', 'text/plain').send('id=x'),
      415,
      /application\/json/,
    );
    expectProblem(
      await request(app).post('/api/v1/targets').set('Authorization', bearer(tokens.operator)).set('Content-Type', 'application/json').send('{"id":'),
      400,
      /not valid JSON/,
    );
    expect(upstream.requests.length).toBe(before);
  });

  it("relays the alerting service's 409 and 400 problems with the public path", async () => {
    upstream.answerOnce('/targets', {
      status: 409,
      type: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'target T6_ZONE_SHARE is defined in the targets configuration file',
        instance: '/targets',
      }),
    });
    const res = await request(app)
      .post('/api/v1/targets')
      .set('Authorization', bearer(tokens.operator))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...OPERATOR_TARGET, id: 'T6_ZONE_SHARE' }));
    expectProblem(res, 409, /targets configuration file/);
    expect(JSON.parse(res.text).instance).toBe('/api/v1/targets');
    expectProblem(
      await request(app).get('/api/v1/targets/T6_ZONE_SHARE/decomposition?from=2025-12-31&to=2023-12-31').set('Authorization', bearer(tokens.evaluator)),
      400,
      /from/,
    );
  });
});

describe('hostile input', () => {
  it('forwards operator-looking query keys as plain strings; the indicator refuses them with 400, never 5xx', async () => {
    for (const query of [
      'asOf[$ne]=x',
      'asOf[$gt]=',
      'asOf=%7B%22%24gt%22%3A%22%22%7D',
      'asOf=2025-06-30&asOf=2025-06-29',
      '__proto__[x]=1',
      'constructor[prototype][x]=1',
    ]) {
      const before = upstream.requests.length;
      const res = await request(app).get(`/api/v1/kpis?${query}`).set('Authorization', bearer(tokens.evaluator));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expectProblem(res, 400);
      const [forwarded] = upstream.requests.slice(before);
      expect(forwarded!.url).toBe(`/kpis?${query}`);
      // Flat parsing on the receiving side too: no nested objects, hence no operators.
      for (const v of Object.values(forwarded!.query)) expect(typeof v === 'string' || Array.isArray(v)).toBe(true);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('ignores operator-looking query keys on routes served here', async () => {
    const res = await request(app).get('/api/v1/pipeline?topic[$ne]=x&lag[$gt]=').set('Authorization', bearer(tokens.evaluator)).expect(200);
    expect(res.body.accepted).toBe(0);
  });

  it('refuses JSON-ish and operator-looking tokens with 401, never 5xx', async () => {
    const headers = [
      'Bearer {"$gt":""}',
      'Bearer {"$ne":null}',
      '{"$ne": null}',
      'Bearer sa_{"$gt":""}',
      `Bearer ${tokens.evaluator}{"$ne":1}`,
      'Bearer [object Object]',
      'Bearer $where',
      `Bearer ${tokens.evaluator} ${tokens.operator}`,
      `Bearer ${'A'.repeat(10000)}`,
    ];
    for (const header of headers) {
      const res = await request(app).get('/api/v1/pipeline').set('Authorization', header);
      expect({ header: header.slice(0, 40), status: res.status }).toEqual({ header: header.slice(0, 40), status: 401 });
      expectProblem(res, 401);
    }
  });

  it('survives unicode in headers (latin-1 through the client, raw UTF-8 bytes on the wire)', async () => {
    const latin = await request(app).get('/api/v1/pipeline').set('Authorization', 'Bearer säö_token');
    expectProblem(latin, 401);
    const server = await listenLocal(app);
    try {
      const get = (headers: string[]) =>
        rawHttp(server, Buffer.from(['GET /api/v1/pipeline HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...headers, '', ''].join('\r\n'), 'utf8'));
      const unicodeToken = await get(['Authorization: Bearer 硅巷令牌']);
      expect(unicodeToken.status).toBe(401);
      expect(unicodeToken.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(unicodeToken.body)).toMatchObject({ status: 401, detail: expect.stringMatching(/Authorization: Bearer <token>/) });
      const unicodeOther = await get([`Authorization: ${bearer(tokens.evaluator)}`, 'X-Provider: 北京市东城区']);
      expect(unicodeOther.status).toBe(200);
      expect(JSON.parse(unicodeOther.body).accepted).toBe(0);
    } finally {
      await closeServer(server);
    }
  });
});

describe('security headers and CORS', () => {
  const expectHelmet = (res: request.Response) => {
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  };

  it('sets helmet headers on public answers, problems and forwarded answers', async () => {
    expectHelmet(await request(app).get('/api/v1/openapi.json').expect(200));
    expectHelmet(await request(app).get('/api/v1/pipeline').expect(401));
    expectHelmet(await request(app).get('/api/v1/kpis').set('Authorization', bearer(tokens.evaluator)).expect(200));
    expectHelmet(await request(app).get('/nope').expect(404));
  });

  it('keeps CORS closed by default: no Access-Control-Allow-Origin for any origin', async () => {
    const simple = await request(app).get('/api/v1/kpis').set('Origin', 'https://evil.example').set('Authorization', bearer(tokens.evaluator)).expect(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(app)
      .options('/api/v1/kpis')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
    expect(preflight.status).toBe(401);
  });

  it('opens CORS for a configured origin only', async () => {
    const open = stack.app({ indicatorUrls: [upstream.url], corsOrigins: ['https://dashboard.siliconalley.example'] });
    const preflight = await request(open)
      .options('/api/v1/kpis')
      .set('Origin', 'https://dashboard.siliconalley.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://dashboard.siliconalley.example');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(preflight.headers.vary).toMatch(/Origin/);
    const simple = await request(open)
      .get('/api/v1/kpis')
      .set('Origin', 'https://dashboard.siliconalley.example')
      .set('Authorization', bearer(tokens.evaluator))
      .expect(200);
    expect(simple.headers['access-control-allow-origin']).toBe('https://dashboard.siliconalley.example');
    const denied = await request(open).get('/api/v1/kpis').set('Origin', 'https://evil.example').set('Authorization', bearer(tokens.evaluator)).expect(200);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    const lookalike = await request(open)
      .get('/api/v1/kpis')
      .set('Origin', 'https://dashboard.siliconalley.example.evil.example')
      .set('Authorization', bearer(tokens.evaluator))
      .expect(200);
    expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limiting per token', () => {
  it('answers the 4th request in a minute with 429, Retry-After and a problem; other tokens are unaffected', async () => {
    const limited = stack.app({ indicatorUrls: [upstream.url], rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) await request(limited).get('/api/v1/kpis').set('Authorization', bearer(tokens.evaluator)).expect(200);
    const before = upstream.requests.length;
    const res = await request(limited).get('/api/v1/kpis').set('Authorization', bearer(tokens.evaluator));
    expectProblem(res, 429, /more than 3 requests per minute for this token/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(upstream.requests.length).toBe(before); // not forwarded
    await request(limited).get('/api/v1/kpis').set('Authorization', bearer(tokens.operator)).expect(200);
    await request(limited).get('/api/v1/openapi.json').expect(200);
  });
});
