// The whole system for a fuzzing run: ingest (every stream), indicator, alerting and gateway as
// child processes (their built dist/index.js, as `npm start` runs them) on free loopback ports,
// against the test stack's Kafka and database in a random namespace of their own, with the small
// fixture replayed and applied so that reads have data, and one token per role.
import { SHORT_TYPES } from '@siliconalley/contract';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectDatabase, type Connection } from '@siliconalley/db';
import {
  createTestTopics,
  freePort,
  ManagedProcess,
  pipelineDrained,
  publishRecords,
  repoRoot,
  SERVICES,
  serviceEntry,
  topicSpecs,
  waitFor,
} from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { createStore } from '@siliconalley/store';
import { loadFixtureRecords } from '@siliconalley/testkit';

export interface FuzzStackOptions {
  brokers: string[];
  mongoUrl: string;
  /** Shared fixture to replay (shared/fixtures/<name>); none with null. */
  fixture?: string | null;
  /** Where the services' logs go (one file each). */
  logDir: string;
  /** Gateway requests per token per minute; fuzzing wants the routes, not 429s. */
  rateLimitPerMinute?: number;
  /** Gateway token cache (TOKEN_CACHE_MS), ms; default 2000. */
  tokenCacheMs?: number;
  /** Gateway and service log level (debug: access log lines, to be scanned for tokens). */
  logLevel?: string;
  say?: (line: string) => void;
}

export interface FuzzTokens {
  provider: string;
  evaluator: string;
  operator: string;
}

export interface FuzzStack {
  namespace: string;
  /** http://127.0.0.1:<port> of the gateway (the public API). */
  baseUrl: string;
  /** Ops ports (/metrics, /healthz, /readyz) by service name. */
  opsUrls: Record<string, string>;
  tokens: FuzzTokens;
  logDir: string;
  /** Log lines of every service so far. */
  logs: () => string;
  stop: () => Promise<void>;
}

export { freePort };

const httpOk = async (url: string) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
};

/** Every provider short type: the provider token may publish anything the contract knows. */
const PROVIDER_TYPES: string[] = [...SHORT_TYPES];

/** Stacks started and not yet stopped, so that Ctrl-C stops their (detached) service processes too. */
const running = new Set<FuzzStack>();

export async function stopAllFuzzStacks(): Promise<void> {
  for (const s of [...running]) await s.stop();
}

export async function startFuzzStack(opts: FuzzStackOptions): Promise<FuzzStack> {
  const say = opts.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const namespace = `fz${randomBytes(4).toString('hex')}`;
  const logDir = join(opts.logDir, namespace);
  mkdirSync(logDir, { recursive: true });
  const pidDir = join(logDir, 'pids');
  // The secret the gateway, indicator and alerting of this run share (ingest ignores it).
  const env = {
    brokers: opts.brokers,
    mongoUrl: opts.mongoUrl,
    prometheusUrl: '',
    alertmanagerUrl: '',
    namespace,
    internalApiSecret: randomBytes(32).toString('hex'),
  };

  let kafka: KafkaClient | undefined;
  let conn: Connection | undefined;
  const processes: ManagedProcess[] = [];
  let self: FuzzStack | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    if (self) running.delete(self);
    for (const p of [...processes].reverse()) await p.stop().catch(() => undefined);
    if (kafka) {
      await kafka.deleteTopics(topicSpecs(namespace).map((t) => t.topic)).catch(() => undefined);
      await kafka.close().catch(() => undefined);
    }
    if (conn) {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close().catch(() => undefined);
    }
  };

  try {
    say(`[fuzz] namespace ${namespace}: topics, database, fixture`);
    kafka = await createTestTopics(env);
    await kafka.connectProducer();
    conn = await connectDatabase({ url: opts.mongoUrl, namespace });
    const store = createStore(conn);
    await store.ensureIndexes();
    if (opts.fixture !== null) {
      const records = loadFixtureRecords(opts.fixture ?? 'small');
      await publishRecords(kafka, records, namespace);
      say(`[fuzz] published ${records.length} fixture records (${opts.fixture ?? 'small'})`);
    }

    const [gatewayPort, indicatorPort, alertingPort] = [await freePort(), await freePort(), await freePort()];
    const opsPorts: Record<string, number> = {};
    for (const name of ['ingest', 'indicator', 'alerting', 'gateway']) opsPorts[name] = await freePort();
    const common = {
      NODE_ENV: 'production',
      KAFKA_BROKERS: opts.brokers.join(','),
      MONGO_URL: opts.mongoUrl,
      SA_NAMESPACE: namespace,
      LOG_LEVEL: opts.logLevel ?? 'info',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const def = (workspace: string) => SERVICES.find((s) => s.workspace === workspace)!;
    const specs: { name: string; workspace: string; env: Record<string, string> }[] = [
      { name: 'ingest', workspace: 'ingest', env: { INGEST_STREAMS: 'enterprise,certification,task' } },
      { name: 'indicator', workspace: 'indicator', env: { HTTP_PORT: String(indicatorPort) } },
      {
        name: 'alerting',
        workspace: 'alerting',
        env: { HTTP_PORT: String(alertingPort), INDICATOR_URL: `http://127.0.0.1:${indicatorPort}`, EVALUATION_INTERVAL_SECONDS: '5' },
      },
      {
        name: 'gateway',
        workspace: 'gateway',
        env: {
          HTTP_PORT: String(gatewayPort),
          INDICATOR_URL: `http://127.0.0.1:${indicatorPort}`,
          ALERTING_URL: `http://127.0.0.1:${alertingPort}`,
          RATE_LIMIT_PER_MINUTE: String(opts.rateLimitPerMinute ?? 1_000_000),
          // Fuzzing sends malformed and unknown tokens on purpose: never limit them here.
          AUTH_FAILURES_PER_MINUTE: '1000000',
          // Trust a token found active for 2 s: the database lookup is what fuzzing would measure otherwise.
          TOKEN_CACHE_MS: String(opts.tokenCacheMs ?? 2000),
        },
      },
    ];
    for (const spec of specs) {
      const proc = new ManagedProcess(
        {
          name: spec.name,
          command: process.execPath,
          args: ['--enable-source-maps', serviceEntry(def(spec.workspace))],
          cwd: repoRoot,
          env: { ...common, SERVICE_NAME: `${spec.name}-${namespace}`, OPS_PORT: String(opsPorts[spec.name]), ...spec.env },
          logFile: join(logDir, `${spec.name}.log`),
        },
        pidDir,
      );
      // As a supervisor would (compose: restart: unless-stopped): a service that exits on its own,
      // e.g. a consumer watchdog on a starved machine, is started again, a few times at most.
      let restarts = 0;
      const onExit = (code: number | null, signal: string | null) => {
        say(`[fuzz] ${spec.name} exited unexpectedly (code ${code}, signal ${signal}); see ${join(logDir, `${spec.name}.log`)}`);
        if (stopping || restarts >= 3) return;
        restarts += 1;
        say(`[fuzz] restarting ${spec.name} (${restarts}/3)`);
        proc.start(onExit).catch((err: Error) => say(`[fuzz] cannot restart ${spec.name}: ${err.message}`));
      };
      await proc.start(onExit);
      processes.push(proc);
      if (!self)
        running.add((self = { namespace, baseUrl: '', opsUrls: {}, tokens: { provider: '', evaluator: '', operator: '' }, logDir, logs: () => '', stop }));
    }
    const opsUrls = Object.fromEntries(Object.entries(opsPorts).map(([n, p]) => [n, `http://127.0.0.1:${p}`]));
    for (const [name, url] of Object.entries(opsUrls)) {
      await waitFor(`${name} readiness`, () => httpOk(`${url}/readyz`), 120000, join(logDir, `${name}.log`));
    }
    const baseUrl = `http://127.0.0.1:${gatewayPort}`;
    await waitFor('gateway API', () => httpOk(`${baseUrl}/api/v1/openapi.json`), 60000, join(logDir, 'gateway.log'));
    if (opts.fixture !== null) {
      const k = kafka;
      await waitFor('the fixture applied (ingestion and indicator lag 0)', () => pipelineDrained(k), 600000, logDir);
      say('[fuzz] fixture applied');
    }

    const tokens: FuzzTokens = {
      provider: (await store.tokens.issue('provider', { types: PROVIDER_TYPES, label: 'fuzz provider' })).token,
      evaluator: (await store.tokens.issue('evaluator', { label: 'fuzz evaluator' })).token,
      operator: (await store.tokens.issue('operator', { label: 'fuzz operator' })).token,
    };
    const logs = () =>
      readdirSync(logDir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFileSync(join(logDir, f), 'utf8'))
        .join('\n');
    running.delete(self!);
    self = { namespace, baseUrl, opsUrls, tokens, logDir, logs, stop };
    running.add(self);
    return self;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Tokens (or any secret) that appear verbatim in the text, e.g. service logs; [] when none. */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => s.length > 0 && text.includes(s));
}

export { repoRoot };
