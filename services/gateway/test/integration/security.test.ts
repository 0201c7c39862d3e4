// Security properties of the edge that the RBAC matrix and hostile-input tests do not show: tokens
// are random, shown once and stored hashed, revocation takes effect at once, no token reaches a
// log line whatever happens to the request, /metrics is served on the ops port only, and CORS
// preflights from foreign origins are refused.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import express from 'express';
import { createMetricsRegistry, createOpsApp, problemErrorHandler } from '@siliconalley/http';
import type { KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { authenticate } from '../../src/auth';
import { bearer, deadPort, expectProblem, openStack, registered, startUpstream, type Stack, type Upstream } from './harness';

jest.setTimeout(120000);

let stack: Stack;
let upstream: Upstream;

beforeAll(async () => {
  stack = await openStack();
  upstream = await startUpstream();
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
    expectProblem(await request(app).post('/api/v1/targets').set('Authorization', bearer(doomed.token)).set('Content-Type', 'application/json').send('{}'), 401);
    await request(app).get('/api/v1/kpis').set('Authorization', bearer(kept.token)).expect(200);
    expect(await stack.store.tokens.revokeByPrefix(doomed.record.prefix)).toBe(0);
    expect(await stack.store.tokens.findActive(doomed.token)).toBeNull();
  });

  it('may be trusted for TOKEN_CACHE_MS after a lookup: a revocation then takes effect within that time, never later', async () => {
    const app = express();
    app.get('/who', authenticate(stack.store.tokens, { cacheMs: 800 }), (req, res) => {
      res.json({ role: req.principal?.role });
    });
    app.use(problemErrorHandler(() => undefined));
    const t = await stack.store.tokens.issue('evaluator', { label: 'cached' });
    await request(app).get('/who').set('Authorization', bearer(t.token)).expect(200, { role: 'evaluator' });
    const revokedAt = Date.now();
    await stack.store.tokens.revokeByPrefix(t.record.prefix);
    // Within the window the cached principal may still answer; after it, never.
    for (;;) {
      const res = await request(app).get('/who').set('Authorization', bearer(t.token));
      if (res.status === 401) break;
      expect(res.status).toBe(200);
      expect(Date.now() - revokedAt).toBeLessThan(800);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 900));
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
    const failing = { findActive: () => Promise.reject(new Error('MongoServerSelectionError: connect ECONNREFUSED 127.0.0.1:27027')) } as unknown as typeof stack.store.tokens;
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
    const brokenKafka = { withAdmin: () => Promise.reject(new Error('broker unreachable')) } as unknown as KafkaClient;

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
      await call(request(app).get('/api/v1/kpis').set('Authorization', bearer(`${token}x`)));
      await call(request(down).get('/api/v1/kpis').set('Authorization', bearer(token)));
      await call(request(broken).get('/api/v1/pipeline').set('Authorization', bearer(token)));
      await call(request(app).post('/api/v1/targets').set('Authorization', bearer(token)).set('Content-Type', 'application/json').send(`{"id":"${token}"`));
      await call(request(app).post('/api/v1/events').set('Authorization', bearer(token)).set('Content-Type', 'application/cloudevents+json').send(JSON.stringify(registered(3, { id: token }))));
      await call(request(app).post('/api/v1/events').set('Authorization', bearer(token)).set('Content-Type', 'application/cloudevents+json').send(`{"id":"${token}",`));
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
      const res = await request(app).options(path).set('Origin', 'https://evil.example').set('Access-Control-Request-Method', method).set('Access-Control-Request-Headers', 'authorization, content-type');
      expect({ path, status: res.status >= 400 ? 'refused' : res.status }).toEqual({ path, status: 'refused' });
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const null_ = await request(app).get('/api/v1/openapi.json').set('Origin', 'null').expect(200);
    expect(null_.headers['access-control-allow-origin']).toBeUndefined();
  });
});
