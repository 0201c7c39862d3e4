// The documented token command (`npm run token`), run as the built CLI in a child process against
// the test database: one line with the token on stdout, messages on stderr, and the token works.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { bearer, expectProblem, openStack, registered, type Stack } from './harness';

jest.setTimeout(120000);

const CLI = path.resolve(__dirname, '../../dist/token-cli.js');
const TOKEN_LINE = /^sa_[A-Za-z0-9_-]{43}\n$/;

let stack: Stack;
let app: Express;

beforeAll(async () => {
  stack = await openStack();
  app = stack.app();
});

afterAll(async () => {
  await stack?.close();
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, MONGO_URL: stack.env.mongoUrl, SA_NAMESPACE: stack.env.namespace },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('token CLI (dist/token-cli.js)', () => {
  it('prints exactly one line, the evaluator token, which reads but may not ingest', async () => {
    const { code, stdout, stderr } = await runCli(['--role', 'evaluator', '--label', 'ci']);
    expect(code).toBe(0);
    expect(stdout).toMatch(TOKEN_LINE);
    expect(stderr).toMatch(/created an? evaluator token/);
    expect(stderr).not.toContain(stdout.trim());
    const token = stdout.trim();
    await request(app).get('/api/v1/pipeline').set('Authorization', bearer(token)).expect(200);
    expectProblem(
      await request(app)
        .post('/api/v1/events')
        .set('Authorization', bearer(token))
        .set('Content-Type', 'application/cloudevents+json')
        .send(JSON.stringify(registered(1))),
      403,
      /the token has the role evaluator/,
    );
    // Only the hash is stored.
    const stored = await stack.store.tokens.model.find({}).lean();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored.find((t) => t.label === 'ci')).toMatchObject({ role: 'evaluator', prefix: token.slice(0, 8), revokedAt: null });
  });

  it('issues an operator token', async () => {
    const { code, stdout } = await runCli(['--role', 'operator']);
    expect(code).toBe(0);
    expect(stdout).toMatch(TOKEN_LINE);
    const principal = await stack.store.tokens.findActive(stdout.trim());
    expect(principal).toMatchObject({ role: 'operator', types: [] });
  });

  it('issues a provider token limited to its types', async () => {
    const { code, stdout } = await runCli(['--role', 'provider', '--types', 'enterprise.registered, enterprise.updated']);
    expect(code).toBe(0);
    expect(stdout).toMatch(TOKEN_LINE);
    const token = stdout.trim();
    const ok = await request(app)
      .post('/api/v1/events')
      .set('Authorization', bearer(token))
      .set('Content-Type', 'application/cloudevents+json')
      .send(JSON.stringify(registered(2)));
    expect(ok.status).toBe(202);
    expectProblem(await request(app).get('/api/v1/kpis').set('Authorization', bearer(token)), 403, /the token has the role provider/);
    expect(await stack.store.tokens.findActive(token)).toMatchObject({ role: 'provider', types: ['enterprise.registered', 'enterprise.updated'] });
  });

  it('refuses a provider token without --types: non-zero exit, a message on stderr, nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCli(['--role', 'provider']);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/a provider token needs --types, a comma-separated list of: enterprise\.registered/);
  });

  it('refuses unknown types', async () => {
    const { code, stdout, stderr } = await runCli(['--role', 'provider', '--types', 'enterprise.registered,enterprise.renamed']);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown type\(s\) enterprise\.renamed/);
  });

  it('refuses a bad role: non-zero exit, the roles on stderr, nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCli(['--role', 'admin']);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toBe('token: --role must be one of provider, evaluator, operator\n');
    expect(await stack.store.tokens.list()).not.toContainEqual(expect.objectContaining({ role: 'admin' }));
  });

  it.each([[[]], [['--role']], [['--rol', 'evaluator']]])('refuses %j: non-zero exit, message on stderr, nothing on stdout', async (args) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^token: .+/);
  });

  it('revokes by prefix: the token then gets 401', async () => {
    const { stdout } = await runCli(['--role', 'evaluator']);
    const token = stdout.trim();
    await request(app).get('/api/v1/pipeline').set('Authorization', bearer(token)).expect(200);
    const revoke = await runCli(['--revoke', token.slice(0, 8)]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toBe('');
    expect(revoke.stderr).toMatch(/revoked 1 token\(s\)/);
    const res = await request(app).get('/api/v1/pipeline').set('Authorization', bearer(token));
    expectProblem(res, 401, /unknown or revoked/);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('lists tokens on stderr without revealing them', async () => {
    const { code, stdout, stderr } = await runCli(['--list']);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/sa_.{5}…\s+evaluator/);
    expect(stderr).not.toMatch(/sa_[A-Za-z0-9_-]{43}/);
  });
});
