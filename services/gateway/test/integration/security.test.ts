// Security properties of the edge that the RBAC matrix and hostile-input tests do not show: tokens
// are random, shown once and stored hashed, revocation takes effect at once, no token reaches a
// log line whatever happens to the request, /metrics is served on the ops port only, CORS
// preflights from foreign origins are refused, addresses that keep failing to authenticate are
// limited before any lookup, batches are bounded, relayed reports are never cached for others, and
// the internal services are called with INTERNAL_API_SECRET.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import express from 'express';
import { createMetricsRegistry, createOpsApp, INTERNAL_AUTH_HEADER, problemErrorHandler } from '@siliconalley/http';
import type { KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { authenticate, authFailureLimit } from '../../src/auth';
import { bearer, deadPort, expectProblem, openStack, registered, startUpstream, type Stack, type Upstream } from './harness';

jest.setTimeout(120000);

let stack: Stack;
let upstream: Upstream;

beforeAll(async () => {
  stack = await openStack();
  upstream = await startUpstream(stack.env.internalApiSecret);
});

afterAll(async () => {
  await upstream?.close();
  await stack?.close();
});

const TOKEN = /^sa_[A-Za-z0-9_-]{43}$/;

describe('tokens', () => {
  it('are 256-bit random: distinct, base64url, every symbol about equally often', async () => {
    const issued = await Promise.all(Array.from({ length: 200 }, () => stack.store.tokens.issue('evaluator', { label: 'entropy' })));
    const tokens = issued.map((t) => t.token);
    for (const t of tokens) expect(t).toMatch(TOKEN);
    expect(new Set(tokens).size).toBe(tokens.length);
    // 200 × 42 random symbols (the 43rd carries only 4 bits) over 64 symbols: ~131 each.
    const counts = new Map<string, number>();
    for (const t of tokens) for (const c of t.slice(3, 45)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(64);
    expect(Math.min(...counts.values())).toBeGreaterThan(70);
    expect(Math.max(...counts.values())).toBeLessThan(200);
    // Prefixes are short enough to reveal nothing useful, long enough to tell tokens apart mostly.
    expect(issued.every((t) => t.record.prefix === t.token.slice(0, 8))).toBe(true);
  });

  it('are stored as their SHA-256 only: no document holds the token, and the listing holds no hash', async () => {
    const { token, record } = await stack.store.tokens.issue('operator', { label: 'hashed' });
    const docs = await stack.store.tokens.model.find({}).lean();
    const text = JSON.stringify(docs);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(8));
    const stored = docs.find((d) => d.label === 'hashed')!;
    expect(stored.hash).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(record.hash).toBe(stored.hash);
    const listed = await stack.store.tokens.list();
    expect(JSON.stringify(listed)).not.toContain(stored.hash);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.find((t) => t.label === 'hashed')).toMatchObject({ prefix: token.slice(0, 8), role: 'operator', revokedAt: null });
  });

  it('revocation takes effect on the next request, only for that token, and cannot be undone by re-presenting it', async () => {
    const app = stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url });
    const doomed = await stack.store.tokens.issue('operator', { label: 'doomed' });
    const kept = await stack.store.tokens.issue('operator', { label: 'kept' });
    await request(app).get('/api/v1/kpis').set('Authorization', bearer(doomed.token)).expect(200);
    expect(await stack.store.tokens.revokeByPrefix(doomed.record.prefix)).toBeGreaterThanOrEqual(1);
    for (const path of ['/api/v1/kpis', '/api/v1/pipeline', '/api/v1/targets/audit']) {
      expectProblem(await request(app).get(path).set('Authorization', bearer(doomed.token)), 401, /unknown or revoked/);
    }
    expectProblem(
      await request(app).post('/api/v1/targets').set('Authorization', bearer(doomed.token)).set('Content-Type', 'application/json').send('{}'),
      401,
    );
    await request(app).get('/api/v1/kpis').set('Authorization', bearer(kept.token)).expect(200);
    expect(await stack.store.tokens.revokeByPrefix(doomed.record.prefix)).toBe(0);
    expect(await stack.store.tokens.findActive(doomed.token)).toBeNull();
  });

  it('may be trusted for TOKEN_CACHE_MS after a lookup: a revocation then takes effect within that time, never later', async () => {
    let clock = 1_000_000;
    const app = express();
    app.get('/who', authenticate(stack.store.tokens, { cacheMs: 800, now: () => clock }), (req, res) => {
      res.json({ role: req.principal?.role });
    });
    app.use(problemErrorHandler(() => undefined));
    const t = await stack.store.tokens.issue('evaluator', { label: 'cached' });
    await request(app).get('/who').set('Authorization', bearer(t.token)).expect(200, { role: 'evaluator' });
    await stack.store.tokens.revokeByPrefix(t.record.prefix);
    // Within the window the cached principal still answers; at its end the revocation holds.
    clock += 799;
    await request(app).get('/who').set('Authorization', bearer(t.token)).expect(200);
    clock += 1;
    expect((await request(app).get('/who').set('Authorization', bearer(t.token))).status).toBe(401);
    // Once refused, never let through again, however the clock moves.
    clock += 10_000;
    expect((await request(app).get('/who').set('Authorization', bearer(t.token))).status).toBe(401);
    // A token revoked before its first use is never let through, cache or not.
    const never = await stack.store.tokens.issue('operator', { label: 'never' });
    await stack.store.tokens.revokeByPrefix(never.record.prefix);
    expect((await request(app).get('/who').set('Authorization', bearer(never.token))).status).toBe(401);
  });

  it('are looked up on every request by default (no TOKEN_CACHE_MS): revocation is immediate', async () => {
    expect(process.env.TOKEN_CACHE_MS).toBeUndefined();
    const app = express();
    app.get('/who', authenticate(stack.store.tokens), (_req, res) => {
      res.json({});
    });
    app.use(problemErrorHandler(() => undefined));
    const t = await stack.store.tokens.issue('evaluator', { label: 'uncached' });
    await request(app).get('/who').set('Authorization', bearer(t.token)).expect(200);
    await stack.store.tokens.revokeByPrefix(t.record.prefix);
    expect((await request(app).get('/who').set('Authorization', bearer(t.token))).status).toBe(401);
  });

  it('answer 503 with Retry-After, not 500, while the token store does not answer (and say nothing about it)', async () => {
    const warned: unknown[] = [];
    const failing = {
      findActive: () => Promise.reject(new Error('MongoServerSelectionError: connect ECONNREFUSED 127.0.0.1:27027')),
    } as unknown as typeof stack.store.tokens;
    const app = express();
    app.get('/who', authenticate(failing, { logger: { warn: (o: unknown) => warned.push(o) } as never }), (_req, res) => {
      res.json({});
    });
    app.use(problemErrorHandler(() => undefined));
    const res = await request(app).get('/who').set('Authorization', bearer('sa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expectProblem(res, 503, /token cannot be checked right now/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).not.toMatch(/Mongo|ECONNREFUSED|27027/);
    expect(warned).toHaveLength(1);
  });

  it('never match a query built from a hostile token (the hash is what is looked up)', async () => {
    for (const t of [{ $ne: null }, { $gt: '' }, ['a'], 'x'.repeat(100000)]) {
      expect(await stack.store.tokens.findActive(t as unknown as string)).toBeNull();
    }
    expect(await stack.store.tokens.revokeByPrefix({ $ne: null } as unknown as string)).toBe(0);
  });
});

describe('logs', () => {
  it('never contain a token, whatever the request and however it ends (trace level, every outcome)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger('gateway-log-test', 'trace', sink);
    const provider = await stack.store.tokens.issue('provider', { types: ['enterprise.registered'], label: 'log test' });
    const operator = await stack.store.tokens.issue('operator', { label: 'log test' });
    const revoked = await stack.store.tokens.issue('evaluator', { label: 'log test' });
    await stack.store.tokens.revokeByPrefix(revoked.record.prefix);
    const secrets = [provider.token, operator.token, revoked.token];
    const brokenKafka = { topic: (t: string) => t, partitionEnds: () => Promise.reject(new Error('broker unreachable')) } as unknown as KafkaClient;

    const app = stack.app({ logger, indicatorUrls: [upstream.url], alertingUrl: upstream.url });
    const down = stack.app({ logger, indicatorUrls: [`http://127.0.0.1:${await deadPort()}`], alertingUrl: `http://127.0.0.1:${await deadPort()}` });
    const broken = stack.app({ logger, kafka: brokenKafka });
    const statuses: number[] = [];
    const call = async (t: request.Test) => statuses.push((await t).status);
    for (const token of secrets) {
      await call(request(app).get('/api/v1/kpis').set('Authorization', bearer(token)));
      await call(request(app).get(`/api/v1/kpis?token=${token}&asOf=${token}`).set('Authorization', bearer(token)));
      await call(request(app).get(`/api/v1/${token}`).set('Authorization', bearer(token)));
      await call(request(app).get('/api/v1/kpis').set('Authorization', `Token ${token}`));
      await call(
        request(app)
          .get('/api/v1/kpis')
          .set('Authorization', bearer(`${token}x`)),
      );
      await call(request(down).get('/api/v1/kpis').set('Authorization', bearer(token)));
      await call(request(broken).get('/api/v1/pipeline').set('Authorization', bearer(token)));
      await call(request(app).post('/api/v1/targets').set('Authorization', bearer(token)).set('Content-Type', 'application/json').send(`{"id":"${token}"`));
      await call(
        request(app)
          .post('/api/v1/events')
          .set('Authorization', bearer(token))
          .set('Content-Type', 'application/cloudevents+json')
          .send(JSON.stringify(registered(3, { id: token }))),
      );
      await call(
        request(app).post('/api/v1/events').set('Authorization', bearer(token)).set('Content-Type', 'application/cloudevents+json').send(`{"id":"${token}",`),
      );
    }
    // Every kind of outcome happened: success, client errors, upstream down, a broken broker (503, logged with its error).
    expect(new Set(statuses)).toEqual(new Set([200, 202, 400, 401, 403, 404, 503]));
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(30);
    expect(text).toMatch(/"msg":"pipeline status unavailable"/);
    expect(text).toMatch(/"msg":"upstream unavailable"/);
    // The token, or its secret part after the prefix, in any line (the offending lines are shown).
    expect(lines.filter((l) => secrets.some((secret) => l.includes(secret.slice(8))))).toEqual([]);
  });
});

describe('/metrics', () => {
  it('is served on the ops port only, never on the API port', async () => {
    const registry = createMetricsRegistry('gateway-metrics-test');
    const app = stack.app({ registry, indicatorUrls: [upstream.url], alertingUrl: upstream.url });
    const ops = createOpsApp({ logger: createLogger('ops-test', 'silent'), registry, readiness: { ok: async () => true } });
    const operator = (await stack.store.tokens.issue('operator')).token;
    await request(app).get('/api/v1/kpis').set('Authorization', bearer(operator)).expect(200);

    const metrics = await request(ops).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/siliconalley_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/kpis"/);

    for (const path of ['/metrics', '/metrics/', '/api/metrics', '/healthz', '/readyz']) {
      const res = await request(app).get(path);
      expectProblem(res, 404);
      expect(res.text).not.toMatch(/siliconalley_|# HELP|# TYPE/);
    }
    expectProblem(await request(app).get('/api/v1/metrics'), 401);
    const authed = await request(app).get('/api/v1/metrics').set('Authorization', bearer(operator));
    expectProblem(authed, 404);
    expect(authed.text).not.toMatch(/# HELP/);
  });
});

describe('CORS', () => {
  it('refuses a foreign preflight for every write and read route: no Access-Control-* headers at all', async () => {
    const app = stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url });
    for (const [path, method] of [
      ['/api/v1/targets', 'POST'],
      ['/api/v1/targets/X', 'DELETE'],
      ['/api/v1/events', 'POST'],
      ['/api/v1/kpis', 'GET'],
      ['/api/v1/openapi.json', 'GET'],
    ] as const) {
      const res = await request(app)
        .options(path)
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'authorization, content-type');
      expect({ path, status: res.status >= 400 ? 'refused' : res.status }).toEqual({ path, status: 'refused' });
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const null_ = await request(app).get('/api/v1/openapi.json').set('Origin', 'null').expect(200);
    expect(null_.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('failed authentications, limited per address before any token lookup', () => {
  /** Counts the token lookups of the app under test. */
  const counted = () => {
    let lookups = 0;
    const tokens = Object.create(stack.store.tokens) as typeof stack.store.tokens;
    tokens.findActive = (token: string) => {
      lookups += 1;
      return stack.store.tokens.findActive(token);
    };
    return { store: { ...stack.store, tokens }, lookups: () => lookups };
  };

  it('answers 429 with Retry-After past AUTH_FAILURES_PER_MINUTE bogus tokens from one address, without looking them up', async () => {
    const { store, lookups } = counted();
    const app = stack.app({ store, authFailuresPerMinute: 5, trustProxyHops: 1, indicatorUrls: [upstream.url], alertingUrl: upstream.url });
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await request(app)
          .get('/api/v1/kpis')
          .set(from('203.0.113.7'))
          .set('Authorization', bearer(`sa_bogus${i}${'A'.repeat(38)}`)),
        401,
      );
    }
    expect(lookups()).toBe(5);
    const limited = await request(app)
      .get('/api/v1/kpis')
      .set(from('203.0.113.7'))
      .set('Authorization', bearer(`sa_bogus9${'A'.repeat(38)}`));
    expectProblem(limited, 429, /more than 5 failed authentications per 60 s from this address/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Without a token and with a good one alike: the address waits out the minute, and nothing is looked up.
    const good = (await stack.store.tokens.issue('evaluator', { label: 'limited address' })).token;
    expectProblem(await request(app).get('/api/v1/kpis').set(from('203.0.113.7')), 429);
    expectProblem(await request(app).get('/api/v1/kpis').set(from('203.0.113.7')).set('Authorization', bearer(good)), 429);
    expect(lookups()).toBe(5);
    // Another address is not concerned, and a client with a good token is never counted.
    for (let i = 0; i < 10; i++) await request(app).get('/api/v1/kpis').set(from('203.0.113.8')).set('Authorization', bearer(good)).expect(200);
    expectProblem(
      await request(app)
        .get('/api/v1/kpis')
        .set(from('203.0.113.8'))
        .set('Authorization', bearer(`sa_bogus${'B'.repeat(39)}`)),
      401,
    );
  });

  it('starts over after the window and remembers a bounded number of addresses (oldest forgotten first)', async () => {
    let now = 1_000_000;
    const app = express();
    app.set('trust proxy', 1);
    app.get('/who', authFailureLimit({ limit: 1, windowMs: 10_000, maxAddresses: 2, now: () => now }), authenticate(stack.store.tokens), (_req, res) => {
      res.json({});
    });
    app.use(problemErrorHandler(() => undefined));
    const call = (ip: string) =>
      request(app)
        .get('/who')
        .set('X-Forwarded-For', ip)
        .set('Authorization', bearer(`sa_nope${'C'.repeat(39)}`));
    expect((await call('198.51.100.1')).status).toBe(401);
    expect((await call('198.51.100.1')).status).toBe(429);
    now += 10_000; // the window is over
    expect((await call('198.51.100.1')).status).toBe(401);
    expect((await call('198.51.100.1')).status).toBe(429);
    now += 1;
    expect((await call('198.51.100.2')).status).toBe(401);
    expect((await call('198.51.100.3')).status).toBe(401); // a third address: the oldest (…1) is forgotten
    expect((await call('198.51.100.1')).status).toBe(401);
    expect((await call('198.51.100.3')).status).toBe(429);
  });
});

describe('batch ingest', () => {
  /** Events whose strings hold what a naive count would take for array syntax. */
  const batchOf = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => registered(900 + i, { id: `batch-${i}, [x], {"y": "\\"}` })));

  it('refuses a batch of more than INGEST_MAX_BATCH_EVENTS events with 413 naming the limit, before judging any', async () => {
    const app = stack.app({ maxBatchEvents: 3 });
    const samr = (await stack.store.tokens.issue('provider', { types: ['enterprise.registered'], label: 'batch bound' })).token;
    const post = (body: string) =>
      request(app)
        .post('/api/v1/events')
        .set('Authorization', bearer(samr))
        .set('Content-Type', 'application/cloudevents-batch+json; charset=utf-8')
        .send(body);
    const tooMany = await post(batchOf(4));
    expectProblem(tooMany, 413, /at most 3 events \(INGEST_MAX_BATCH_EVENTS\)/);
    expect(JSON.parse(tooMany.text).maxEvents).toBe(3);
    expectProblem(await post(`[${'{},'.repeat(100_000)}{}]`), 413, /at most 3 events/);
    // Up to the limit, the batch is judged as before (the strings' commas and brackets are not events).
    const ok = await post(batchOf(3)).expect(200);
    expect(ok.body.results).toHaveLength(3);
    expectProblem(await post('[{"a": [1, 2, 3, 4, 5]}, '), 400);
  });
});

describe('responses relayed from the internal services', () => {
  it('are never marked for shared caches: an upstream `public` becomes `private`', async () => {
    const app = stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url });
    const evaluator = (await stack.store.tokens.issue('evaluator', { label: 'cache' })).token;
    upstream.answerOnce('/assessments/2025-Q4', {
      status: 200,
      type: 'application/json',
      body: '{"period":"2025-Q4","version":1}',
      headers: { 'Cache-Control': 'public, max-age=31536000, immutable' },
    });
    const res = await request(app).get('/api/v1/assessments/2025-Q4?version=1').set('Authorization', bearer(evaluator)).expect(200);
    expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    upstream.answerOnce('/assessments/2025-Q4', {
      status: 200,
      type: 'application/json',
      body: '{}',
      headers: { 'Cache-Control': 'public, s-maxage=600, no-store' },
    });
    expect((await request(app).get('/api/v1/assessments/2025-Q4').set('Authorization', bearer(evaluator)).expect(200)).headers['cache-control']).toBe(
      'no-store',
    );
  });

  it("come from upstreams the gateway authenticates to with INTERNAL_API_SECRET; a wrong secret is a 502, not the caller's 401", async () => {
    const operator = (await stack.store.tokens.issue('operator', { label: 'internal secret' })).token;
    const before = upstream.requests.length;
    await request(stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url }))
      .get('/api/v1/targets')
      .set('Authorization', bearer(operator))
      .expect(200);
    await request(stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url }))
      .get('/api/v1/pipeline')
      .set('Authorization', bearer(operator))
      .expect(200);
    const sent = upstream.requests.slice(before);
    expect(sent.map((r) => r.headers[INTERNAL_AUTH_HEADER])).toEqual([stack.env.internalApiSecret, stack.env.internalApiSecret]);

    const misconfigured = stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url, internalSecret: 'not-the-secret-the-upstream-knows-0000' });
    expectProblem(await request(misconfigured).get('/api/v1/targets').set('Authorization', bearer(operator)), 502, /refused the gateway/);
    expectProblem(await request(misconfigured).get('/api/v1/kpis').set('Authorization', bearer(operator)), 502, /INTERNAL_API_SECRET/);
    // A client cannot supply the credential or an actor for the gateway to pass on.
    const forged = await request(stack.app({ indicatorUrls: [upstream.url], alertingUrl: upstream.url }))
      .post('/api/v1/targets')
      .set('Authorization', bearer(operator))
      .set(INTERNAL_AUTH_HEADER, 'client-supplied')
      .set('x-sa-actor', 'sa_forged')
      .set('Content-Type', 'application/json')
      .send('{"id":"X"}')
      .expect(201);
    expect(forged.status).toBe(201);
    const last = upstream.requests.at(-1)!;
    expect(last.headers[INTERNAL_AUTH_HEADER]).toBe(stack.env.internalApiSecret);
    expect(last.headers['x-sa-actor']).toBe(operator.slice(0, 8));
  });
});
