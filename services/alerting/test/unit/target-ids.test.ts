// One grammar for target ids (packages/targets), on create and in the path of the target routes: an
// id that can be created can be deleted, and `..` (a dot segment no URL can name) cannot be created.
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_AUTH_HEADER, Registry } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import type { Actor, StoredTarget, TargetRepository } from '@siliconalley/store';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import type { Evaluator } from '../../src/evaluate';
import { WhatIf } from '../../src/what-if';
import { ManagedTargets, targetIdParam } from '../../src/managed-targets';
import { createServer } from '../../src/server';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const op = (id: string) => ({
  id,
  kpi: 'qualified_firms',
  scope: 'zone:QL',
  baselineDate: '2024-12-31',
  target: { multiplier: 2 },
  due: '2026-12-31',
  method: 'linear-v1',
});

/** The repository in memory: what ManagedTargets needs of it. */
function memoryRepo(): TargetRepository {
  const docs = new Map<string, StoredTarget>();
  const repo = {
    list: async () => [...docs.values()],
    create: async (id: string, definition: Record<string, unknown>, actor: Actor) => {
      if (docs.has(id)) return false;
      docs.set(id, { _id: id, definition, createdAt: new Date(), createdBy: actor.id } as StoredTarget);
      return true;
    },
    remove: async (id: string) => {
      const doc = docs.get(id);
      docs.delete(id);
      return doc?.definition ?? null;
    },
    audit: async () => [],
  };
  return repo as unknown as TargetRepository;
}

/** A raw request: the path goes out as written (fetch and supertest would resolve `%2E%2E` first). */
function call(server: Server, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { [INTERNAL_AUTH_HEADER]: SECRET, 'x-sa-actor': 'sa_TeSt1', ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('target ids', () => {
  let server: Server;
  const decomposed: string[] = [];
  const repo = memoryRepo();

  beforeAll(async () => {
    const evaluator = {
      decomposition: async (id: string) => {
        decomposed.push(id);
        return { target: id };
      },
      targets: async () => [],
    } as unknown as Evaluator;
    const managed = new ManagedTargets(DEFAULT_TARGETS, repo);
    const whatIf = new WhatIf({ indicators: {} as never, definitions: DEFAULT_TARGETS });
    const app = createServer({ evaluator, whatIf, managed, logger: createLogger('test', 'silent'), registry: new Registry(), internalSecret: SECRET });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('holds a path id to the grammar, before any lookup', () => {
    expect(targetIdParam('OP_QL_QUALIFIED')).toBe('OP_QL_QUALIFIED');
    for (const id of ['..', '.', 'lower', 'T-1', undefined])
      expect(() => targetIdParam(id)).toThrow(/is not a target id: a target id must be an upper-case letter/);
  });

  it('refuses to create `..`, `.` or any id outside the grammar (400), and creates and deletes one inside it', async () => {
    for (const id of ['..', '.', 'T.1', 'lower_case', '%2E%2E', 'T/1']) {
      const res = await call(server, 'POST', '/targets', op(id));
      expect({ id, status: res.status, detail: JSON.parse(res.body).detail }).toEqual({
        id,
        status: 400,
        detail: expect.stringMatching(/id: must be an upper-case letter followed by up to 63/),
      });
    }
    expect((await call(server, 'POST', '/targets', op('E2E_API'))).status).toBe(201);
    expect((await call(server, 'DELETE', '/targets/E2E_API')).status).toBe(204);
    expect((await call(server, 'DELETE', '/targets/E2E_API')).status).toBe(404);
  });

  it('answers 400 for a path id outside the grammar on DELETE /targets/{id} and GET /targets/{id}/decomposition', async () => {
    for (const path of ['%2E%2E', '%2E', 'lower', 'T.1', 'T%2F1', `T${'_'.repeat(64)}`]) {
      const del = await call(server, 'DELETE', `/targets/${path}`);
      expect({ path, status: del.status, detail: JSON.parse(del.body).detail }).toEqual({
        path,
        status: 400,
        detail: expect.stringMatching(/is not a target id/),
      });
      const get = await call(server, 'GET', `/targets/${path}/decomposition?from=2024-12-31&to=2025-12-31`);
      expect({ path, status: get.status }).toEqual({ path, status: 400 });
    }
    expect(decomposed).toEqual([]);
    expect((await call(server, 'GET', '/targets/T6_ZONE_SHARE/decomposition?from=2024-12-31&to=2025-12-31')).status).toBe(200);
    expect(decomposed).toEqual(['T6_ZONE_SHARE']);
    expect((await call(server, 'DELETE', '/targets/T6_ZONE_SHARE')).status).toBe(409);
    expect((await call(server, 'DELETE', '/targets/NOPE')).status).toBe(404);
  });

  it('names a target stored before the grammar existed (not judged) and deletes it by its exact id', async () => {
    // Stored under an older, looser schema: today's validation refuses it.
    await repo.create('..', op('..'), { id: 'sa_old', label: null });
    const listed = await call(server, 'GET', '/targets?asOf=2025-06-30');
    expect(JSON.parse(listed.body).invalidStoredTargets).toEqual([{ id: '..', problems: [expect.stringMatching(/id/)] }]);
    expect((await call(server, 'DELETE', '/targets/%2E%2E')).status).toBe(204);
    expect(JSON.parse((await call(server, 'GET', '/targets?asOf=2025-06-30')).body).invalidStoredTargets).toBeUndefined();
    expect((await call(server, 'DELETE', '/targets/%2E%2E')).status).toBe(400);
  });
});
