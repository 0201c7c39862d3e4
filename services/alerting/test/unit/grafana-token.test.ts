// The Grafana token one-shot (src/notifications/grafana-token.ts, src/grafana-token-cli.ts) against
// an in-process HTTP server that stands in for Grafana's HTTP API. It is a contract stand-in for
// Grafana only (Grafana itself, AGPL, cannot be installed here): it implements exactly the endpoints
// the one-shot and the alerting service call, as Grafana documents them — GET /api/health; basic-auth
// admin: GET /api/serviceaccounts/search?query=, POST /api/serviceaccounts {name, role},
// POST /api/serviceaccounts/:id/tokens {name} → {id, name, key}; bearer token: GET /api/annotations
// (any role) and POST /api/annotations (Editor or Admin, as Grafana's annotations:create).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@siliconalley/logger';
import type { TargetJudgement } from '@siliconalley/targets';
import { flagChangeEvent, GrafanaAnnotations } from '../../src/alerts';
import { provisionGrafanaToken, SERVICE_ACCOUNT_ROLE } from '../../src/notifications/grafana-token';

interface Account {
  id: number;
  name: string;
  login: string;
  role: string;
  isDisabled: boolean;
  tokens: { id: number; name: string; key: string }[];
}

interface StandIn {
  url: string;
  accounts: Account[];
  annotations: { accountId: number; body: unknown }[];
  calls: string[];
  /** Health answers 503 this many times first (Grafana migrating its database). */
  unhealthy: number;
  close: () => Promise<void>;
}

async function grafanaStandIn(admin = { user: 'admin', password: 'pa55' }): Promise<StandIn> {
  const state: Omit<StandIn, 'url' | 'close'> = { accounts: [], annotations: [], calls: [], unhealthy: 0 };
  let nextId = 1;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://grafana');
      state.calls.push(`${req.method} ${url.pathname}`);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      const auth = req.headers.authorization ?? '';
      const isAdmin = auth === `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
      const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
      const holder = bearer ? state.accounts.find((a) => !a.isDisabled && a.tokens.some((t) => t.key === bearer)) : undefined;

      if (req.method === 'GET' && url.pathname === '/api/health') {
        if (state.unhealthy > 0) {
          state.unhealthy--;
          return json(res, 503, { database: 'failing' });
        }
        return json(res, 200, { commit: 'stand-in', database: 'ok', version: '12.1.0' });
      }
      if (url.pathname.startsWith('/api/serviceaccounts')) {
        if (!isAdmin) return json(res, 401, { message: 'Unauthorized' });
        if (req.method === 'GET' && url.pathname === '/api/serviceaccounts/search') {
          const q = url.searchParams.get('query') ?? '';
          const found = state.accounts.filter((a) => a.name.includes(q) || a.login.includes(q));
          return json(res, 200, {
            totalCount: found.length,
            serviceAccounts: found.map(({ tokens, ...a }) => ({ ...a, orgId: 1, tokens: tokens.length })),
            page: 1,
            perPage: Number(url.searchParams.get('perpage') ?? 1000),
          });
        }
        if (req.method === 'POST' && url.pathname === '/api/serviceaccounts') {
          if (state.accounts.some((a) => a.name === body.name)) return json(res, 400, { message: 'service account already exists' });
          if (!['Viewer', 'Editor', 'Admin', 'None'].includes(String(body.role))) return json(res, 400, { message: 'invalid role' });
          const account: Account = {
            id: nextId++,
            name: String(body.name),
            login: `sa-1-${String(body.name)}`,
            role: String(body.role),
            isDisabled: Boolean(body.isDisabled),
            tokens: [],
          };
          state.accounts.push(account);
          const { tokens: _t, ...shown } = account;
          return json(res, 201, { ...shown, orgId: 1, tokens: 0 });
        }
        const m = /^\/api\/serviceaccounts\/(\d+)\/tokens$/.exec(url.pathname);
        if (req.method === 'POST' && m) {
          const account = state.accounts.find((a) => a.id === Number(m[1]));
          if (!account) return json(res, 404, { message: 'service account not found' });
          if (account.tokens.some((t) => t.name === body.name))
            return json(res, 409, { message: 'service account token with given name already exists in the organization' });
          const token = { id: nextId++, name: String(body.name), key: `glsa_${Math.random().toString(36).slice(2)}_${account.id}` };
          account.tokens.push(token);
          return json(res, 200, token);
        }
        return json(res, 404, { message: 'not found' });
      }
      if (url.pathname === '/api/annotations') {
        if (!holder) return json(res, 401, { message: 'invalid API key' });
        if (req.method === 'GET')
          return json(
            res,
            200,
            state.annotations.slice(0, Number(url.searchParams.get('limit') ?? 100)).map((a, i) => ({ id: i + 1, ...(a.body as object) })),
          );
        if (req.method === 'POST') {
          if (!['Editor', 'Admin'].includes(holder.role))
            return json(res, 403, { message: "You'll need additional permissions to perform this action. Permissions needed: annotations:create" });
          state.annotations.push({ accountId: holder.id, body });
          return json(res, 200, { message: 'Annotation added', id: state.annotations.length });
        }
      }
      return json(res, 404, { message: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

const ACCOUNT = 'siliconalley-alerting';
const judgement: TargetJudgement = {
  id: 'T6_ZONE_SHARE',
  kpi: 'zone_share',
  scope: 'zone:QL',
  baselineDate: '2023-12-31',
  due: '2026-12-31',
  method: 'linear-v1',
  baseline: 0.2,
  target: 0.3,
  actual: 0.19,
  expected: 0.28,
  ratio: -0.125,
  forecast: 0.18,
  status: 'regressing',
  gapToPath: 0.09,
};

describe('Grafana service account token (against a contract stand-in for Grafana)', () => {
  let grafana: StandIn;
  const provision = (extra: Partial<Parameters<typeof provisionGrafanaToken>[0]> = {}) =>
    provisionGrafanaToken({ url: grafana.url, adminUser: 'admin', adminPassword: 'pa55', account: ACCOUNT, waitMs: 5000, pollMs: 20, ...extra });

  beforeEach(async () => {
    grafana = await grafanaStandIn();
  });
  afterEach(() => grafana.close());

  it('waits for /api/health, creates the account with role Editor and a token that the alerting service can annotate with', async () => {
    grafana.unhealthy = 3;
    const result = await provision();
    expect(result).toMatchObject({ created: true, accountCreated: true, accountId: 1 });
    expect(grafana.calls.filter((c) => c === 'GET /api/health')).toHaveLength(4);
    expect(grafana.accounts).toEqual([expect.objectContaining({ name: ACCOUNT, role: SERVICE_ACCOUNT_ROLE, isDisabled: false })]);
    expect(grafana.accounts[0]!.tokens.map((t) => t.key)).toEqual([result.token]);

    // The alerting service's own client (alerts.ts) with that token: the role suffices for annotations.
    const client = new GrafanaAnnotations({ url: grafana.url, token: result.token, logger: createLogger('test', 'silent'), attempts: 1 });
    client.annotate(flagChangeEvent(judgement, 'raised', '2025-06-30'));
    await client.drain();
    expect(grafana.annotations).toEqual([{ accountId: 1, body: expect.objectContaining({ tags: expect.arrayContaining(['T6_ZONE_SHARE', 'raised']) }) }]);
  });

  it('is idempotent: a kept token that still works is kept (no new account, no new token)', async () => {
    const first = await provision();
    const again = await provision({ existingToken: first.token });
    expect(again).toEqual({ token: first.token, created: false, accountId: null, accountCreated: false });
    expect(grafana.accounts).toHaveLength(1);
    expect(grafana.accounts[0]!.tokens).toHaveLength(1);
    expect(grafana.calls.filter((c) => c.startsWith('POST'))).toEqual(['POST /api/serviceaccounts', 'POST /api/serviceaccounts/1/tokens']);
  });

  it('finds an existing account, and replaces a kept token Grafana no longer accepts', async () => {
    await provision({ now: () => new Date('2025-06-30T01:00:00Z') });
    const next = await provision({ existingToken: 'glsa_revoked', now: () => new Date('2025-07-01T01:00:00Z') });
    expect(next).toMatchObject({ created: true, accountCreated: false, accountId: 1 });
    expect(grafana.accounts).toHaveLength(1);
    expect(grafana.accounts[0]!.tokens.map((t) => t.name)).toEqual([`${ACCOUNT}-20250630T010000Z`, `${ACCOUNT}-20250701T010000Z`]);
  });

  it('does not take an account whose name merely contains ours', async () => {
    grafana.accounts.push({ id: 99, name: `${ACCOUNT}-old`, login: `sa-1-${ACCOUNT}-old`, role: 'Viewer', isDisabled: false, tokens: [] });
    const result = await provision();
    expect(result).toMatchObject({ accountCreated: true });
    expect(grafana.accounts.map((a) => [a.name, a.role])).toEqual([
      [`${ACCOUNT}-old`, 'Viewer'],
      [ACCOUNT, 'Editor'],
    ]);
  });

  it('refuses an existing account whose role cannot annotate, or that is disabled, saying what to do', async () => {
    grafana.accounts.push({ id: 7, name: ACCOUNT, login: `sa-1-${ACCOUNT}`, role: 'Viewer', isDisabled: false, tokens: [] });
    await expect(provision()).rejects.toThrow(
      /service account siliconalley-alerting \(id 7\) has role Viewer, which may not create annotations: give it the role Editor/,
    );
    grafana.accounts[0]!.role = 'Editor';
    grafana.accounts[0]!.isDisabled = true;
    await expect(provision()).rejects.toThrow(/is disabled in Grafana/);
  });

  it('names the admin credentials when Grafana refuses them', async () => {
    await expect(provision({ adminPassword: 'wrong' })).rejects.toThrow(
      /Grafana refused the admin credentials \(GRAFANA_ADMIN_USER "admin", GRAFANA_ADMIN_PASSWORD\)/,
    );
  });

  it('gives up on a Grafana that never becomes healthy', async () => {
    grafana.unhealthy = 1000;
    await expect(provision({ waitMs: 200 })).rejects.toThrow(/is not healthy after 0 s \(last: HTTP 503, database failing\)/);
  });
});

describe('npm run grafana-token (the built CLI) against the stand-in', () => {
  const cli = join(__dirname, '../../dist/grafana-token-cli.js');
  let grafana: StandIn;
  let dir: string;
  beforeAll(async () => {
    grafana = await grafanaStandIn();
    dir = mkdtempSync(join(tmpdir(), 'sa-grafana-token-'));
  });
  afterAll(async () => {
    await grafana.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Asynchronous: the stand-in lives in this process, so the CLI must not block its event loop.
  const run = (env: Record<string, string>, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('writes the token owner-only (never on stdout), reads the admin password from a _FILE, keeps the token on a second run', async () => {
    const passwordFile = join(dir, 'admin-password');
    writeFileSync(passwordFile, 'pa55\n');
    const out = join(dir, 'token');
    const env = { GRAFANA_URL: grafana.url, GRAFANA_ADMIN_PASSWORD_FILE: passwordFile };
    const first = await run(env, '--out', out);
    expect(first).toMatchObject({ status: 0, stdout: '' });
    expect(first.stderr).toMatch(/created Grafana service account siliconalley-alerting \(id 1, role Editor\)/);
    const token = readFileSync(out, 'utf8').trim();
    expect(grafana.accounts[0]!.tokens.map((t) => t.key)).toEqual([token]);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const second = await run(env, '--out', out);
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/still accepted: kept/);
    expect(readFileSync(out, 'utf8').trim()).toBe(token);
    expect(grafana.accounts[0]!.tokens).toHaveLength(1);
  });

  it('exits 78 without the admin password, 2 without --out, 1 with a clear message when refused', async () => {
    expect(await run({ GRAFANA_URL: grafana.url }, '--out', join(dir, 'x'))).toMatchObject({
      status: 78,
      stderr: expect.stringMatching(/GRAFANA_ADMIN_PASSWORD/),
    });
    expect(await run({ GRAFANA_URL: grafana.url, GRAFANA_ADMIN_PASSWORD: 'pa55' })).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/--out FILE is required/),
    });
    const refused = await run({ GRAFANA_URL: grafana.url, GRAFANA_ADMIN_PASSWORD: 'wrong' }, '--out', join(dir, 'y'));
    expect(refused).toMatchObject({ status: 1, stderr: expect.stringMatching(/refused the admin credentials/) });
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });
});
