// Shared set-up of the gateway integration tests: the REAL test stack (Kafka, FerretDB) in a
// namespace of its own, the gateway app built with createServer(...) on top of it, tokens issued
// through the real token repository, and a small stand-in for the indicator (our own service, not
// Kafka or the database) that validates queries with the indicator's own schemas and records what
// the gateway forwarded.
import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { Response } from 'supertest';
import {
  decompositionQuery,
  departmentsQuery,
  describeIssues,
  explainQuery,
  kpisQuery,
  seriesQuery,
  targetsQuery,
  tasksQuery,
  actionsQuery,
  whatIfQuery,
} from '@siliconalley/api';
import { eventIdentity, TOPICS, TYPE_PREFIX } from '@siliconalley/contract';
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics } from '@siliconalley/devstack';
import { createInternalApp, createMetricsRegistry, HttpProblem, rejectedEventsCounter } from '@siliconalley/http';
import { DeadLetterProducer, type InboundRecord, type KafkaClient, type ManagedConsumer } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { createStore, type Role, type Store, type StoredEvent } from '@siliconalley/store';
import { syntheticUscc, testEnv, type TestEnv } from '@siliconalley/testkit';
import { createServer, type GatewayDeps } from '../../src/server';

export const logger = createLogger('gateway-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface Stack {
  env: TestEnv;
  conn: Connection;
  store: Store;
  kafka: KafkaClient;
  /** Builds a gateway app on the real store and broker; options override the defaults. */
  app: (overrides?: Partial<GatewayDeps>) => Express;
  close: () => Promise<void>;
}

/** Connects to the test stack in a fresh namespace: its own topics and database. */
export async function openStack(): Promise<Stack> {
  const env = testEnv();
  const kafka = await createTestTopics(env);
  const conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
  const store = createStore(conn);
  await store.ensureIndexes();
  await kafka.connectProducer();
  const deadLetters = new DeadLetterProducer(kafka, kafka.topic(TOPICS.deadLetter));
  const app = (overrides: Partial<GatewayDeps> = {}) => {
    const registry = createMetricsRegistry('gateway-test');
    const rejected = rejectedEventsCounter(registry);
    return createServer({
      logger,
      registry,
      store,
      kafka,
      deadLetters,
      rejected,
      indicatorUrls: ['http://127.0.0.1:9'],
      alertingUrl: 'http://127.0.0.1:9',
      maxBodyBytes: 5 * 1024 * 1024,
      rateLimitPerMinute: 100_000,
      // Tests send many bad tokens from 127.0.0.1; security.test.ts tests the limit with its own.
      authFailuresPerMinute: 100_000,
      corsOrigins: [],
      internalSecret: env.internalApiSecret,
      ...overrides,
    });
  };
  return {
    env,
    conn,
    store,
    kafka,
    app,
    close: async () => {
      await kafka.close();
      await conn.dropDatabase();
      await conn.close();
    },
  };
}

export interface Tokens {
  provider: string;
  evaluator: string;
  operator: string;
  revoked: string;
}

export async function issueTokens(store: Store): Promise<Tokens> {
  const provider = await store.tokens.issue('provider', { types: ['enterprise.registered', 'enterprise.updated', 'enterprise.deregistered'], label: 'samr' });
  const evaluator = await store.tokens.issue('evaluator');
  const operator = await store.tokens.issue('operator');
  const revoked = await store.tokens.issue('evaluator', { label: 'to be revoked' });
  expect(await store.tokens.revokeByPrefix(revoked.record.prefix)).toBe(1);
  return { provider: provider.token, evaluator: evaluator.token, operator: operator.token, revoked: revoked.token };
}

export const bearer = (token: string) => `Bearer ${token}`;

// --- the indicator stand-in ---------------------------------------------------------------------

export interface ForwardedRequest {
  method: string;
  url: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** JSON body of a forwarded write. */
  body?: unknown;
}

export interface Upstream {
  url: string;
  requests: ForwardedRequest[];
  /** Next answer for a path, instead of the validated default. */
  answerOnce: (path: string, answer: { status: number; type: string; body: string; headers?: Record<string, string> }) => void;
  close: () => Promise<void>;
}

/**
 * Plays the indicator: validates with the same schemas (@siliconalley/api) and answers canned bodies.
 * Like the real internal APIs it answers only requests with INTERNAL_API_SECRET (`secret`): 401 without.
 */
export async function startUpstream(secret: string): Promise<Upstream> {
  const requests: ForwardedRequest[] = [];
  const canned = new Map<string, { status: number; type: string; body: string; headers?: Record<string, string> }>();
  const now = () => new Date('2026-11-26T04:00:00Z');
  const parse = (schema: { safeParse: (v: unknown) => { success: boolean; error?: unknown } }, query: unknown) => {
    const r = schema.safeParse(query);
    if (!r.success) throw new HttpProblem(400, describeIssues(r.error as never));
  };
  const app = createInternalApp({ logger, registry: createMetricsRegistry('upstream'), internalSecret: secret }, (a) => {
    a.use((req, res, next) => {
      requests.push({ method: req.method, url: req.originalUrl, query: { ...(req.query as Record<string, unknown>) }, headers: { ...req.headers } });
      const answer = canned.get(req.path);
      if (answer) {
        canned.delete(req.path);
        for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
        res.status(answer.status).type(answer.type).send(answer.body);
        return;
      }
      next();
    });
    a.get('/kpis', (req, res) => {
      parse(kpisQuery(now), req.query);
      res.json({ asOf: (req.query.asOf as string) ?? '2026-11-26', kpis: [{ id: 'qualified_firms', scope: 'district', value: 812 }] });
    });
    a.get('/kpis/series', (req, res) => {
      parse(seriesQuery(now), req.query);
      res.json({ id: req.query.id, scope: req.query.scope, points: [{ asOf: '2024-01-31', value: 0.07 }] });
    });
    a.get('/kpis/explain', (req, res) => {
      parse(explainQuery(now), req.query);
      res.json({ asOf: '2025-06-30', id: req.query.id, scope: req.query.scope, value: 1, firms: [{ uscc: syntheticUscc(1), name: '合成科技1' }] });
    });
    // How far the indicator has applied the accepted topic (the pipeline view's indicator lag).
    a.get('/partial/applied', (_req, res) => {
      res.json({ partitions: [0, 1, 2], ready: true, applied: {} });
    });
    // Also plays the alerting service (targets, tasks, departments).
    a.get('/targets', (req, res) => {
      parse(targetsQuery(now), req.query);
      res.json({ asOf: (req.query.asOf as string) ?? '2026-11-26', targets: [] });
    });
    // Target management and the T6 decomposition (the alerting service validates bodies itself).
    a.post('/targets', express.json(), (req, res) => {
      requests[requests.length - 1]!.body = req.body;
      res
        .status(201)
        .location(`/api/v1/targets/${encodeURIComponent(String((req.body as { id?: unknown }).id))}`)
        .json(req.body);
    });
    a.get('/targets/audit', (_req, res) => {
      res.json({ entries: [] });
    });
    a.delete('/targets/:id', (_req, res) => {
      res.status(204).end();
    });
    a.get('/targets/:id/decomposition', (req, res) => {
      parse(decompositionQuery(now), req.query);
      res.json({
        target: req.params.id,
        scope: 'zone:QL',
        from: req.query.from,
        to: req.query.to,
        zone: { from: 1, to: 2 },
        district: { from: 10, to: 10 },
        share: { from: 0.1, to: 0.2 },
        delta: 0.1,
        numeratorEffect: 0.1,
        denominatorEffect: 0,
      });
    });
    a.get('/targets/:id/actions', (req, res) => {
      parse(actionsQuery(now), req.query);
      res.json({
        asOf: req.query.asOf ?? '2026-11-26',
        target: req.params.id,
        zone: 'QL',
        within: 180,
        renewalsDue: [],
        relocationCandidates: [],
        nextTier: [],
      });
    });
    a.post('/what-if', express.json(), (req, res) => {
      parse(whatIfQuery(), req.query);
      requests[requests.length - 1]!.body = req.body;
      res.json({ asOf: req.query.asOf, targets: [], baseline: [], rejected: [], duplicates: [] });
    });
    a.get('/tasks', (req, res) => {
      parse(tasksQuery(now), req.query);
      res.json({ asOf: (req.query.asOf as string) ?? '2026-11-26', tasks: [] });
    });
    a.get('/departments', (req, res) => {
      parse(departmentsQuery(now), req.query);
      res.json({ asOf: (req.query.asOf as string) ?? '2026-11-26', departments: [] });
    });
    // Assessments (the real routes are tested in services/alerting's assessments test).
    a.get('/assessments', (_req, res) => {
      res.json({ assessments: [] });
    });
    a.get('/assessments/:period', (req, res) => {
      res.json({ period: req.params.period, version: 1 });
    });
    a.post('/assessments/:period/run', (req, res) => {
      res.status(200).json({ period: req.params.period, version: 1 });
    });
  });
  const server = await listenLocal(app);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answerOnce: (path, answer) => canned.set(path, answer),
    close: () => closeServer(server),
  };
}

export function listenLocal(app: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes a request as raw bytes (Node's client refuses non-latin-1 header values) and reads the answer. */
export function rawHttp(server: Server, request: Buffer): Promise<RawResponse> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let body = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') {
        let out = '';
        for (let rest = body; ; ) {
          const eol = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, eol), 16);
          if (!size) break;
          const bytes = Buffer.from(rest.slice(eol + 2), 'utf8');
          out += bytes.subarray(0, size).toString('utf8');
          rest = bytes.subarray(size + 2).toString('utf8');
        }
        body = out;
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

/** A local port with nobody listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const { createServer: netServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// --- problems -----------------------------------------------------------------------------------

/** Every error is RFC 9457 problem JSON with a human-readable detail. */
export function expectProblem(res: Response, status: number, detail?: RegExp): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json\b/) });
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
  expect(typeof body.detail).toBe('string');
  expect((body.detail as string).length).toBeGreaterThan(10);
  if (detail) expect(body.detail).toMatch(detail);
  expect(res.text).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack traces
}

// --- events -------------------------------------------------------------------------------------

export const fullType = (short: string) => `${TYPE_PREFIX}${short}.v1`;

let serial = 0;
/** A valid enterprise.registered event for synthetic firm n (unique id per call). */
export function registered(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const uscc = syntheticUscc(n);
  serial += 1;
  return {
    specversion: '1.0',
    id: `gw-reg-${n}-${serial}-${Date.now()}`,
    source: 'urn:dongcheng:samr',
    type: fullType('enterprise.registered'),
    time: '2021-05-10T09:00:00+08:00',
    subject: uscc,
    datacontenttype: 'application/json',
    data: {
      uscc,
      name: `北京合成科技${n}有限公司`,
      establishedOn: '2021-05-10',
      districtCode: '110101',
      site: { address: '北京市东城区青龙胡同1号', location: { lon: 116.4236, lat: 39.9473, crs: 'WGS84' }, buildingId: 'B_GEHUA' },
      industryCode: 'I6513',
      focusIndustry: 'AI',
    },
    ...overrides,
  };
}

/** A valid certification.granted event for synthetic firm n. */
export function granted(n: number): Record<string, unknown> {
  const uscc = syntheticUscc(n);
  serial += 1;
  return {
    specversion: '1.0',
    id: `gw-cert-${n}-${serial}-${Date.now()}`,
    source: 'urn:dongcheng:stc',
    type: fullType('certification.granted'),
    time: '2023-12-12T10:00:00+08:00',
    subject: uscc,
    data: {
      uscc,
      kind: 'HNTE',
      level: 'national',
      certificateNo: `GR2023${n}`,
      validFrom: '2023-12-12',
      validUntil: null,
      issuer: '北京市科学技术委员会',
      batch: '2023-2',
    },
  };
}

/** The stored form of an accepted event, as ingestion would have written it. */
export function storedEvent(event: Record<string, unknown>): StoredEvent {
  const data = event.data as Record<string, unknown>;
  return {
    _id: eventIdentity({ source: event.source as string, id: event.id as string }),
    source: event.source as string,
    id: event.id as string,
    type: 'enterprise.registered',
    subject: event.subject as string,
    time: event.time as string,
    effectiveDate: data.establishedOn as string,
    data: data as unknown as StoredEvent['data'],
    contentMode: 'structured',
    origin: { topic: 'siliconalley.enterprise.v1', partition: 0, offset: '0' },
    receivedAt: new Date(),
  };
}

// --- reading Kafka back -------------------------------------------------------------------------

export interface Readback {
  records: InboundRecord[];
  /** Waits until a record matching `match` has been read; fails after timeoutMs. */
  waitFor: (what: string, match: (r: InboundRecord) => boolean, timeoutMs?: number) => Promise<InboundRecord>;
  stop: () => Promise<void>;
}

/** One consumer group on the namespace's topics from the beginning, collecting every record. */
export async function readBack(kafka: KafkaClient, baseTopics: string[]): Promise<Readback> {
  const records: InboundRecord[] = [];
  const consumer: ManagedConsumer = await kafka.consume({
    groupId: kafka.group(`gateway-test-readback-${Date.now()}`),
    topics: baseTopics.map((t) => kafka.topic(t)),
    handleChunk: async (chunk) => {
      records.push(...chunk);
    },
  });
  return {
    records,
    waitFor: async (what, match, timeoutMs = 60000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; read ${records.length} records`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: () => consumer.stop(),
  };
}

/** Total records ever written to the namespace's topics (end offsets), to prove nothing was produced. */
export async function producedSoFar(kafka: KafkaClient): Promise<number> {
  const ends = await kafka.partitionEnds([TOPICS.enterprise, TOPICS.certification, TOPICS.task, TOPICS.deadLetter].map((t) => kafka.topic(t)));
  return Object.values(ends).reduce((n, partitions) => n + Object.values(partitions).reduce((m, end) => m + Number(end), 0), 0);
}

export type { Role };
