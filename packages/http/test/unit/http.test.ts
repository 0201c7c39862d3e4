import request from 'supertest';
import { createLogger } from '@siliconalley/logger';
import type { AddressInfo } from 'node:net';
import {
  ACTOR_HEADER,
  actorHeaders,
  actorLabelOf,
  Counter,
  HttpProblem,
  INTERNAL_AUTH_HEADER,
  createHttpApp,
  createInternalApp,
  createMetricsRegistry,
  createOpsApp,
  internalAuthHeaders,
  isInternalCaller,
  listen,
  rejectedEventsCounter,
} from '../../src';

const logger = createLogger('test', 'silent');

describe('shared metrics', () => {
  it('defines the rejected-events counter once: name, help and reason label', async () => {
    const registry = createMetricsRegistry('svc');
    rejectedEventsCounter(registry).inc({ reason: 'malformed' }, 2);
    const text = await registry.metrics();
    expect(text).toContain('# HELP siliconalley_events_rejected_total Records rejected to the dead-letter topic, by reason code (events.md).');
    expect(text).toContain('siliconalley_events_rejected_total{reason="malformed",service="svc"} 2');
  });
});

describe('ops app', () => {
  it('serves metrics with the service label, liveness, and readiness per dependency', async () => {
    const registry = createMetricsRegistry('svc');
    new Counter({ name: 'siliconalley_things_total', help: 'Things.', registers: [registry] }).inc(3);
    let dbUp = false;
    const app = createOpsApp({ logger, registry, readiness: { kafka: async () => true, database: async () => dbUp } });
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.text).toContain('siliconalley_things_total{service="svc"} 3');
    expect(metrics.text).toContain('siliconalley_process_cpu_seconds_total');
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    const notReady = await request(app).get('/readyz').expect(503);
    expect(notReady.body).toEqual({ status: 'not_ready', checks: { kafka: true, database: false } });
    dbUp = true;
    await request(app).get('/readyz').expect(200);
    expect(metrics.headers['x-content-type-options']).toBe('nosniff'); // helmet
  });
});

describe('problem details', () => {
  const app = createHttpApp({ logger, registry: createMetricsRegistry('svc') }, (a) => {
    a.get('/boom', () => {
      throw new Error('secret internals');
    });
    a.get('/bad', () => {
      throw new HttpProblem(400, 'asOf: must be a calendar date', { field: 'asOf' }, { 'X-Hint': 'yes' });
    });
    a.get('/slow', () => {
      // What the driver throws when the server stops a read at its maxTimeMS.
      throw Object.assign(new Error('Executor error during aggregate command :: caused by :: operation exceeded time limit'), {
        name: 'MongoServerError',
        code: 50,
      });
    });
    a.get('/q', (req, res) => {
      res.json(req.query);
    });
  });

  it('maps thrown problems, unknown routes and crashes to application/problem+json', async () => {
    const bad = await request(app).get('/bad').expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.parse(bad.text)).toMatchObject({ status: 400, title: 'Bad Request', detail: 'asOf: must be a calendar date', field: 'asOf', instance: '/bad' });
    expect(bad.headers['x-hint']).toBe('yes');
    const missing = await request(app).get('/nope').expect(404);
    expect(JSON.parse(missing.text).detail).toMatch(/no route GET \/nope/);
    const boom = await request(app).get('/boom').expect(500);
    expect(boom.text).not.toContain('secret internals');
  });

  it('answers a read stopped at the database time limit with 503 and Retry-After, not a 500', async () => {
    const slow = await request(app).get('/slow').expect(503);
    expect(slow.headers['retry-after']).toBe('60');
    expect(JSON.parse(slow.text).detail).toMatch(/did not answer within its time limit/);
    expect(slow.text).not.toContain('Executor error');
  });

  it('parses query strings flat, so operator objects cannot be smuggled in', async () => {
    const res = await request(app).get('/q?asOf[$ne]=x&a=1').expect(200);
    expect(res.body).toEqual({ 'asOf[$ne]': 'x', a: '1' });
  });
});

describe('listen', () => {
  it('fails with the reason when the port is taken, instead of resolving without a port', async () => {
    const app = () => createOpsApp({ logger, registry: createMetricsRegistry('svc'), readiness: {} });
    const first = await listen(app(), 0, '127.0.0.1');
    const { port } = first.server.address() as AddressInfo;
    try {
      await expect(listen(app(), port, '127.0.0.1')).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      await first.close();
    }
  });

  it('binds loopback unless told otherwise', async () => {
    const app = () => createOpsApp({ logger, registry: createMetricsRegistry('svc'), readiness: {} });
    const loopback = await listen(app(), 0);
    const open = await listen(app(), 0, '0.0.0.0');
    try {
      expect((loopback.server.address() as AddressInfo).address).toBe('127.0.0.1');
      expect((open.server.address() as AddressInfo).address).toBe('0.0.0.0');
    } finally {
      await Promise.all([loopback.close(), open.close()]);
    }
  });
});

describe('internal API authentication', () => {
  const secret = 'an-internal-secret-of-32-characters!';
  const app = createInternalApp({ logger, registry: createMetricsRegistry('svc'), internalSecret: secret }, (a) => {
    a.post('/write', (req, res) => {
      res.status(201).json({ internal: isInternalCaller(req), actor: req.get(ACTOR_HEADER) ?? null, label: actorLabelOf(req) });
    });
  });

  it('refuses every request without the secret, known route or not, with a problem', async () => {
    for (const call of [
      request(app).post('/write').set('x-sa-actor', 'forged'),
      request(app).get('/nothing'),
      request(app).post('/write').set(INTERNAL_AUTH_HEADER, `${secret}x`),
      request(app).post('/write').set(INTERNAL_AUTH_HEADER, secret.slice(1)),
      request(app).post('/write').set(INTERNAL_AUTH_HEADER, ''),
    ]) {
      const res = await call.expect(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^SA-Internal /);
      expect(JSON.parse(res.text).detail).toMatch(/through the gateway/);
      expect(res.text).not.toContain(secret);
    }
  });

  it('lets a request with the secret through, marked as internal', async () => {
    const res = await request(app).post('/write').set(internalAuthHeaders(secret)).set('x-sa-actor', 'sa_abc').expect(201);
    expect(res.body).toEqual({ internal: true, actor: 'sa_abc', label: null });
    await request(app).get('/nothing').set(INTERNAL_AUTH_HEADER, secret).expect(404);
  });

  it('carries the actor of a write, its label URI-encoded (kept as sent when it does not decode)', async () => {
    expect(actorHeaders('sa_abc', null)).toEqual({ 'x-sa-actor': 'sa_abc' });
    const labelled = await request(app).post('/write').set(internalAuthHeaders(secret)).set(actorHeaders('sa_abc', '运营 ops')).expect(201);
    expect(labelled.body).toEqual({ internal: true, actor: 'sa_abc', label: '运营 ops' });
    const raw = await request(app)
      .post('/write')
      .set(internalAuthHeaders(secret))
      .set(actorHeaders('sa_abc', null))
      .set('x-sa-actor-label', '%E0%A4%A')
      .expect(201);
    expect(raw.body.label).toBe('%E0%A4%A');
  });

  it('needs a secret to be built', () => {
    expect(() => createInternalApp({ logger, registry: createMetricsRegistry('svc'), internalSecret: '' }, () => undefined)).toThrow(/needs a secret/);
    expect(internalAuthHeaders(undefined)).toEqual({});
  });
});
