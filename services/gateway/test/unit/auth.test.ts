// Tokens → roles (auth.ts) on an in-memory token store and an injected clock: 401 for a missing,
// unknown or revoked token, 403 for a role without the right, the cache window, 503 when the store
// does not answer, and the per-address limit on failed authentications.
import express, { type Express, type RequestHandler } from 'express';
import request from 'supertest';
import { problemErrorHandler } from '@siliconalley/http';
import { authenticate, authFailureLimit, requireRole } from '../../src/auth';
import { asTokenRepository, bearer, gateway, MemoryTokens } from './fakes';

/** GET /who behind `handlers`, answering the principal's role; errors as problem+json. */
function app(...handlers: RequestHandler[]): Express {
  const a = express();
  a.set('trust proxy', 1);
  a.get('/who', ...handlers, (req, res) => {
    res.json({ role: req.principal?.role ?? null, label: req.principal?.label ?? null });
  });
  a.use(problemErrorHandler(() => undefined));
  return a;
}

const who = (a: Express, authorization?: string, ip = '198.51.100.1') => {
  const r = request(a).get('/who').set('X-Forwarded-For', ip);
  return authorization === undefined ? r : r.set('Authorization', authorization);
};

describe('authenticate', () => {
  it('401 with WWW-Authenticate for a missing or malformed Authorization header, without a lookup', async () => {
    const tokens = new MemoryTokens();
    const a = app(authenticate(asTokenRepository(tokens)));
    for (const header of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words', 'sa_token']) {
      const res = await who(a, header);
      expect([header, res.status, res.headers['www-authenticate']]).toEqual([header, 401, 'Bearer']);
      expect(res.body.detail).toMatch(/Authorization: Bearer/);
    }
    expect(tokens.lookups).toBe(0);
  });

  it('lets a known token through with its principal, whatever the case of the scheme', async () => {
    const tokens = new MemoryTokens();
    const { token } = await tokens.issue('evaluator', { label: 'analyst' });
    const a = app(authenticate(asTokenRepository(tokens)));
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      await who(a, `${scheme} ${token}`).expect(200, { role: 'evaluator', label: 'analyst' });
    }
  });

  it('401 invalid_token for an unknown token and for a revoked one', async () => {
    const tokens = new MemoryTokens();
    const revoked = await tokens.issue('operator');
    expect(await tokens.revokeByPrefix(revoked.record.prefix)).toBe(1);
    const a = app(authenticate(asTokenRepository(tokens)));
    for (const token of [revoked.token, `sa_unknown${'y'.repeat(36)}`]) {
      const res = await who(a, bearer(token));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.body.detail).toMatch(/unknown or revoked/);
      expect(res.text).not.toContain(token);
    }
  });

  it('without a cache window every request looks the token up: a revocation holds at once', async () => {
    const tokens = new MemoryTokens();
    const t = await tokens.issue('evaluator');
    const a = app(authenticate(asTokenRepository(tokens)));
    await who(a, bearer(t.token)).expect(200);
    await who(a, bearer(t.token)).expect(200);
    expect(tokens.lookups).toBe(2);
    await tokens.revokeByPrefix(t.record.prefix);
    await who(a, bearer(t.token)).expect(401);
  });

  it('with a cache window, a token found active is trusted until the window ends, then looked up again', async () => {
    let clock = 1_000_000;
    const tokens = new MemoryTokens();
    const t = await tokens.issue('evaluator');
    const a = app(authenticate(asTokenRepository(tokens), { cacheMs: 800, now: () => clock }));
    await who(a, bearer(t.token)).expect(200);
    expect(tokens.lookups).toBe(1);
    await tokens.revokeByPrefix(t.record.prefix);
    clock += 799;
    await who(a, bearer(t.token)).expect(200, { role: 'evaluator', label: null }); // cached: no lookup
    expect(tokens.lookups).toBe(1);
    clock += 1;
    await who(a, bearer(t.token)).expect(401);
    expect(tokens.lookups).toBe(2);
    // Once refused, never let through again, however the clock moves.
    clock += 10_000;
    await who(a, bearer(t.token)).expect(401);
    expect(tokens.lookups).toBe(3);
  });

  it('never caches an unknown token: each attempt is looked up (and a token issued later is found)', async () => {
    const tokens = new MemoryTokens();
    const a = app(authenticate(asTokenRepository(tokens), { cacheMs: 60_000, now: () => 0 }));
    const bogus = `sa_0001${'x'.repeat(39)}`; // what the store will issue first
    await who(a, bearer(bogus)).expect(401);
    await who(a, bearer(bogus)).expect(401);
    expect(tokens.lookups).toBe(2);
    expect((await tokens.issue('provider')).token).toBe(bogus);
    await who(a, bearer(bogus)).expect(200, { role: 'provider', label: null });
  });

  it('503 with Retry-After when the token store does not answer, saying nothing of it', async () => {
    const tokens = new MemoryTokens();
    tokens.failing = new Error('MongoServerSelectionError: connect ECONNREFUSED 127.0.0.1:27027');
    const warned: unknown[] = [];
    const a = app(authenticate(asTokenRepository(tokens), { logger: { warn: (o: unknown) => warned.push(o) } as never }));
    const res = await who(a, bearer(`sa_${'A'.repeat(43)}`));
    expect([res.status, res.headers['retry-after']]).toEqual([503, '5']);
    expect(res.body.detail).toMatch(/token cannot be checked right now/);
    expect(res.text).not.toMatch(/Mongo|ECONNREFUSED|27027/);
    expect(warned).toHaveLength(1);
  });
});

describe('requireRole', () => {
  it('lets the listed roles through and answers 403 naming the role needed and the one held', async () => {
    const tokens = new MemoryTokens();
    const a = app(authenticate(asTokenRepository(tokens)), requireRole('evaluator', 'operator'));
    for (const role of ['evaluator', 'operator'] as const) await who(a, bearer((await tokens.issue(role)).token)).expect(200);
    const res = await who(a, bearer((await tokens.issue('provider')).token));
    expect(res.status).toBe(403);
    expect(res.body.detail).toBe('this route needs the role evaluator or operator; the token has the role provider');
  });

  it('403 without any principal (the route was reached unauthenticated)', async () => {
    const res = await who(app(requireRole('operator')));
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/the token has the role none/);
  });
});

describe('authFailureLimit', () => {
  const bogus = (i: number) => bearer(`sa_bogus${i}${'A'.repeat(38)}`);

  it('past `limit` failures from one address in a window: 429 with the rest of the window as Retry-After, and no lookup', async () => {
    let now = 1_000_000;
    const tokens = new MemoryTokens();
    const good = (await tokens.issue('evaluator')).token;
    const a = app(authFailureLimit({ limit: 3, windowMs: 60_000, now: () => now }), authenticate(asTokenRepository(tokens)));
    for (let i = 0; i < 3; i++) await who(a, bogus(i), '203.0.113.7').expect(401);
    expect(tokens.lookups).toBe(3);
    now += 20_500;
    const limited = await who(a, bogus(9), '203.0.113.7');
    expect([limited.status, limited.headers['retry-after']]).toEqual([429, '40']);
    expect(limited.body.detail).toMatch(/more than 3 failed authentications per 60 s from this address/);
    // Even with a good token, or none: the address waits out the window, and nothing is looked up.
    await who(a, bearer(good), '203.0.113.7').expect(429);
    await who(a, undefined, '203.0.113.7').expect(429);
    expect(tokens.lookups).toBe(3);
    // Another address is not concerned; at the end of the window the address starts over.
    await who(a, bearer(good), '203.0.113.8').expect(200);
    now += 39_500;
    await who(a, bearer(good), '203.0.113.7').expect(200);
    await who(a, bogus(10), '203.0.113.7').expect(401);
  });

  it('counts only 401s: a client with a good token is never limited, nor one refused for its role', async () => {
    const tokens = new MemoryTokens();
    const provider = (await tokens.issue('provider')).token;
    const a = app(authFailureLimit({ limit: 1, now: () => 0 }), authenticate(asTokenRepository(tokens)), requireRole('operator'));
    for (let i = 0; i < 5; i++) await who(a, bearer(provider), '203.0.113.9').expect(403);
    await who(a, bogus(1), '203.0.113.9').expect(401);
    await who(a, bogus(2), '203.0.113.9').expect(429);
  });

  it('remembers a bounded number of addresses, the oldest window forgotten first', async () => {
    const tokens = new MemoryTokens();
    const a = app(authFailureLimit({ limit: 1, windowMs: 10_000, maxAddresses: 2, now: () => 5 }), authenticate(asTokenRepository(tokens)));
    await who(a, bogus(1), '198.51.100.1').expect(401);
    await who(a, bogus(1), '198.51.100.1').expect(429);
    await who(a, bogus(1), '198.51.100.2').expect(401);
    await who(a, bogus(1), '198.51.100.3').expect(401); // a third address: …1 is forgotten
    await who(a, bogus(1), '198.51.100.1').expect(401);
    await who(a, bogus(1), '198.51.100.3').expect(429);
  });

  it('sits in front of the token lookup in the gateway app (createServer): AUTH_FAILURES_PER_MINUTE', async () => {
    const g = gateway({ authFailuresPerMinute: 2, trustProxyHops: 1 });
    const kpis = (auth: string) => request(g.app).get('/api/v1/pipeline').set('X-Forwarded-For', '192.0.2.44').set('Authorization', auth);
    await kpis(bogus(1)).expect(401);
    await kpis(bogus(2)).expect(401);
    const limited = await kpis(bogus(3));
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(g.tokens.lookups).toBe(2);
  });
});
