// The chaos run: start the services as child processes in a namespace of their own, replay a log in
// steps while the fault plan kills services, freezes a consumer and restarts the broker and the
// database, then wait until everything is applied and check the results against the event store
// and the log's intended dispositions (verify.ts).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@siliconalley/contract';
import { connectDatabase } from '@siliconalley/db';
import { kafkaBrokers, restartInfra, topicSpecs, type StackLayout } from '@siliconalley/devstack';
import { CONSUMER_GROUPS, KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { STORAGE_FAULT_ENV as FAULT_ENV } from '@siliconalley/config';
import { createStore } from '@siliconalley/store';
import { newInternalApiSecret } from '@siliconalley/testkit';
import { poisonRecord, type ChaosLog, type LogRecord } from './log';
import { faultPlan, seededRandom, type PlannedFault } from './plan';
import { signature } from './readback';
import { freePort, ServiceProcess, type ServiceSpec } from './services';
import { verify, type VerifyReport } from './verify';
import { ingestGroups } from './groups';

export interface ChaosOptions {
  log: ChaosLog;
  seed: number;
  brokers: string[];
  mongoUrl: string;
  namespace: string;
  /** The stack whose broker and database are restarted (their pid files, ports and data). */
  layout: StackLayout | null;
  /** SIGKILLs in all, spread round-robin over the 7 service processes (≥ 10 wanted). */
  kills: number;
  /** Publish steps; faults fall after any but the last. */
  steps: number;
  restartBroker: boolean;
  restartDatabase: boolean;
  pause: boolean;
  /** Insert a poison record (storage throws for it) in the middle of the log. */
  poison: boolean;
  /** Consumer session timeout of the services (default 10 s: kills are noticed quickly). */
  sessionTimeoutMs?: number;
  /** Ingestion chunk (records per durable write): small enough that one chunk takes well under the session timeout on a busy machine (default 100). */
  ingestChunkSize?: number;
  /** Records per produce request. */
  batchSize?: number;
  /** Largest random wait after a step before its fault, ms. */
  maxDelayMs?: number;
  drainTimeoutMs?: number;
  say?: (line: string) => void;
  workDir?: string;
}

export interface FaultRecord {
  fault: PlannedFault['fault'];
  step: number;
  atMs: number;
  tookMs: number;
}

export interface ChaosReport {
  seed: number;
  namespace: string;
  log: string;
  published: number;
  steps: number;
  faults: FaultRecord[];
  kills: Record<string, number>;
  totalKills: number;
  unexpectedExits: Record<string, number>;
  durations: { publishAndFaultsMs: number; drainMs: number; verifyMs: number; totalMs: number };
  logDir: string;
  verify: VerifyReport;
  /** Everything that is wrong; empty when the run passed. */
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const say = o.say ?? ((l: string) => process.stdout.write(`${l}\n`));
  const t0 = Date.now();
  const sessionTimeoutMs = o.sessionTimeoutMs ?? 10000;
  const workDir = o.workDir ?? join(tmpdir(), `sa-chaos-${o.namespace}`);
  mkdirSync(workDir, { recursive: true });
  if ((o.restartBroker || o.restartDatabase) && !o.layout) throw new Error('restarting the broker or the database needs the stack layout (SA_TEST_STACK_DIR)');
  if (o.layout && o.restartBroker && kafkaBrokers(o.layout) !== o.brokers.join(',')) {
    throw new Error(`KAFKA_BROKERS=${o.brokers.join(',')} is not the broker of the stack in ${o.layout.dir} (${kafkaBrokers(o.layout)})`);
  }

  const logger = createLogger('chaos', 'silent');
  const kafka = new KafkaClient({ brokers: o.brokers, clientId: `chaos-${o.namespace}`, logger, namespace: o.namespace });
  await kafka.ensureTopics(topicSpecs(o.namespace));
  const conn = await connectDatabase({ url: o.mongoUrl, namespace: o.namespace });
  const store = createStore(conn);
  await store.ensureIndexes();
  const evaluator = (await store.tokens.issue('evaluator', { label: 'chaos' })).token;

  const poisonMarker = `chaos-poison-${o.namespace}`;
  const ports = { gateway: await freePort(), indicatorApi: await freePort(), alertingApi: await freePort() };
  const common = {
    NODE_ENV: 'test',
    KAFKA_BROKERS: o.brokers.join(','),
    MONGO_URL: o.mongoUrl,
    SA_NAMESPACE: o.namespace,
    LOG_LEVEL: process.env.CHAOS_SERVICE_LOG_LEVEL ?? 'info',
    KAFKA_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
    KAFKA_STALL_TIMEOUT_MS: String(Math.max(60000, 2 * sessionTimeoutMs + 10000)),
    INGEST_CHUNK_SIZE: String(o.ingestChunkSize ?? 100),
    // The secret the gateway, indicator and alerting of this run share (ingest ignores it).
    INTERNAL_API_SECRET: newInternalApiSecret(),
    ...(o.poison ? { [FAULT_ENV]: poisonMarker } : {}),
  };
  const indicatorUrl = `http://127.0.0.1:${ports.indicatorApi}`;
  const specs: ServiceSpec[] = [
    {
      name: 'ingest-registration',
      workspace: 'ingest',
      opsPort: await freePort(),
      env: { ...common, SERVICE_NAME: 'ingest-registration', INGEST_STREAMS: 'enterprise' },
    },
    // A second replica of the largest stream: when one member freezes, the other takes its partitions over.
    {
      name: 'ingest-registration-2',
      workspace: 'ingest',
      opsPort: await freePort(),
      env: { ...common, SERVICE_NAME: 'ingest-registration-2', INGEST_STREAMS: 'enterprise' },
    },
    {
      name: 'ingest-certification',
      workspace: 'ingest',
      opsPort: await freePort(),
      env: { ...common, SERVICE_NAME: 'ingest-certification', INGEST_STREAMS: 'certification' },
    },
    { name: 'ingest-task', workspace: 'ingest', opsPort: await freePort(), env: { ...common, SERVICE_NAME: 'ingest-task', INGEST_STREAMS: 'task' } },
    {
      name: 'indicator',
      workspace: 'indicator',
      opsPort: await freePort(),
      env: { ...common, SERVICE_NAME: 'indicator', HTTP_PORT: String(ports.indicatorApi) },
    },
    {
      name: 'alerting',
      workspace: 'alerting',
      opsPort: await freePort(),
      env: { ...common, SERVICE_NAME: 'alerting', HTTP_PORT: String(ports.alertingApi), INDICATOR_URL: indicatorUrl, EVALUATION_INTERVAL_SECONDS: '5' },
    },
    {
      name: 'gateway',
      workspace: 'gateway',
      opsPort: await freePort(),
      env: {
        ...common,
        SERVICE_NAME: 'gateway',
        HTTP_PORT: String(ports.gateway),
        INDICATOR_URL: indicatorUrl,
        ALERTING_URL: `http://127.0.0.1:${ports.alertingApi}`,
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
    },
  ];
  const services = new Map(specs.map((s) => [s.name, new ServiceProcess(s, join(workDir, `${s.name}.log`), say)]));
  const service = (name: string) => services.get(name)!;

  const faults: FaultRecord[] = [];
  let published = 0;
  /** Per record signature, the intended dispositions of its copies ("accepted", "rejected:reason", …). */
  const intendedBySignature = new Map<string, string[]>();
  let tPublished = 0;
  let tDrained = 0;
  const pending: Promise<void>[] = [];
  try {
    say(`[chaos] namespace ${o.namespace}, seed ${o.seed}, log: ${o.log.name}; service logs in ${workDir}`);
    for (const s of services.values()) s.start();
    for (const s of services.values()) await s.waitReady();
    say('[chaos] services ready');

    // The log is read twice (it may be generated, and too large to hold): once to count it, once to
    // publish it step by step; the poison record goes in the middle of the first step.
    let total = 0;
    for (const _ of o.log.records()) total += 1;
    const poison = o.poison ? poisonRecord(o.log.records(), poisonMarker) : null;
    if (poison) total += 1;
    const poisonAt = Math.floor(total / (2 * o.steps));
    const plan = faultPlan({
      seed: o.seed,
      services: [...services.keys()],
      kills: o.kills,
      pauseService: o.pause ? 'ingest-registration' : null,
      sessionTimeoutMs,
      restartBroker: o.restartBroker,
      restartDatabase: o.restartDatabase,
      steps: o.steps,
      maxDelayMs: o.maxDelayMs,
    });
    say(`[chaos] ${total} records in ${o.steps} steps; ${plan.length} faults planned`);
    const rnd = seededRandom(o.seed ^ 0x5eed);
    const batchSize = o.batchSize ?? 500;

    const publishSlice = async (slice: LogRecord[]) => {
      let i = 0;
      while (i < slice.length) {
        const topic = slice[i]!.topic;
        const run: LogRecord[] = [];
        while (i < slice.length && slice[i]!.topic === topic && run.length < batchSize) run.push(slice[i++]!);
        await kafka.send(
          kafka.topic(topic),
          run.map((r) => ({ key: r.key, headers: r.headers, value: r.value })),
        );
        for (const r of run) {
          const sig = signature(kafka.topic(r.topic), r.key, r.value);
          const list = intendedBySignature.get(sig);
          const want = r.intended === 'rejected' ? `rejected:${r.reason}` : r.intended;
          if (list) list.push(want);
          else intendedBySignature.set(sig, [want]);
        }
        published += run.length;
      }
    };

    const perStep = Math.ceil(total / o.steps);
    const iterator = o.log.records()[Symbol.iterator]();
    let taken = 0;
    const nextSlice = (): LogRecord[] => {
      const slice: LogRecord[] = [];
      while (slice.length < perStep) {
        if (poison && taken === poisonAt) {
          slice.push(poison);
          taken += 1;
          continue;
        }
        const next = iterator.next();
        if (next.done) break;
        slice.push(next.value);
        taken += 1;
      }
      return slice;
    };
    for (let step = 0; step < o.steps; step++) {
      await publishSlice(nextSlice());
      for (const planned of plan.filter((p) => p.step === step)) {
        await sleep(planned.delayMs);
        const started = Date.now();
        await inject(planned, services, service, o, say, pending);
        faults.push({ fault: planned.fault, step, atMs: started - t0, tookMs: Date.now() - started });
      }
      // Some time for the consumers between steps, so faults fall on work in flight, not on idle services.
      await sleep(Math.floor(rnd() * 1000));
    }
    await Promise.all(pending);
    tPublished = Date.now();
    say(`[chaos] published ${published} records; ${faults.length} faults done in ${Math.round((tPublished - t0) / 1000)} s; waiting for the pipeline to drain`);

    for (const s of services.values()) await s.waitReady();
    await waitDrained(kafka, published, service('indicator'), o.drainTimeoutMs ?? 600000, say);
    tDrained = Date.now();
    say(`[chaos] drained in ${Math.round((tDrained - tPublished) / 1000)} s; verifying`);

    const verification = await verify({
      kafka,
      store,
      log: o.log,
      published,
      intendedBySignature,
      gatewayUrl: `http://127.0.0.1:${ports.gateway}/api/v1`,
      token: evaluator,
      seed: o.seed,
      services: [...services.values()],
      faults: faults.map((f) => f.fault),
      sessionTimeoutMs,
      say,
    });
    const tVerified = Date.now();
    const kills = Object.fromEntries([...services.values()].map((s) => [s.name, s.kills]));
    const totalKills = Object.values(kills).reduce((a, b) => a + b, 0);
    const problems = [...verification.problems];
    if (totalKills < 10) problems.push(`only ${totalKills} kills (at least 10 wanted)`);
    return {
      seed: o.seed,
      namespace: o.namespace,
      log: o.log.name,
      published,
      steps: o.steps,
      faults,
      kills,
      totalKills,
      unexpectedExits: Object.fromEntries([...services.values()].map((s) => [s.name, s.unexpectedExits.length])),
      durations: { publishAndFaultsMs: tPublished - t0, drainMs: tDrained - tPublished, verifyMs: tVerified - tDrained, totalMs: tVerified - t0 },
      logDir: workDir,
      verify: verification,
      problems,
    };
  } finally {
    await Promise.allSettled(pending);
    for (const s of [...services.values()].reverse()) await s.stop();
    await kafka.close().catch(() => undefined);
    await conn.dropDatabase().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}

async function inject(
  planned: PlannedFault,
  services: Map<string, ServiceProcess>,
  service: (name: string) => ServiceProcess,
  o: ChaosOptions,
  say: (line: string) => void,
  pending: Promise<void>[],
): Promise<void> {
  const f = planned.fault;
  switch (f.kind) {
    case 'kill': {
      const s = service(f.service);
      // A service killed a moment ago may not be back yet: kill it once it runs again (ready or still starting).
      while (!s.running) await sleep(200);
      await s.kill();
      say(`[chaos] step ${planned.step}: SIGKILL ${f.service} (restart in ${f.restartAfterMs} ms)`);
      pending.push(
        sleep(f.restartAfterMs).then(() => {
          s.start();
        }),
      );
      return;
    }
    case 'pause': {
      const s = service(f.service);
      await s.waitReady();
      say(`[chaos] step ${planned.step}: SIGSTOP ${f.service} for ${f.pauseMs} ms (session timeout ${o.sessionTimeoutMs ?? 10000} ms)`);
      await s.pause(f.pauseMs);
      return;
    }
    case 'restart-broker':
    case 'restart-database': {
      const name = f.kind === 'restart-broker' ? 'kafka' : 'ferretdb';
      const r = await restartInfra(o.layout!, name, { signal: 'SIGKILL', downMs: f.downMs });
      say(`[chaos] step ${planned.step}: ${name} SIGKILLed and restarted (pid ${r.oldPid} → ${r.newPid}), back after ${r.downMs} ms`);
      void services;
      return;
    }
  }
}

async function waitDrained(kafka: KafkaClient, published: number, indicator: ServiceProcess, timeoutMs: number, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let nextReport = Date.now() + 60_000;
  for (;;) {
    if (Date.now() >= nextReport && last) {
      say(`[chaos] draining: ${last}`);
      nextReport = Date.now() + 60_000;
    }
    try {
      const lags: Record<string, number> = {};
      for (const [group, topics] of Object.entries(ingestGroups)) {
        Object.assign(
          lags,
          prefixKeys(
            await kafka.consumerLag(
              kafka.group(group),
              topics.map((t) => kafka.topic(t)),
            ),
            kafka.group(group),
          ),
        );
      }
      const indicatorLag = await kafka.consumerLag(kafka.group(CONSUMER_GROUPS.indicator), [kafka.topic(TOPICS.accepted)]);
      Object.assign(lags, prefixKeys(indicatorLag, kafka.group(CONSUMER_GROUPS.indicator)));
      const totalLag = Object.values(lags).reduce((a, b) => a + b, 0);
      const ready = await indicator.ready();
      // No disposition count here: ingestion commits a chunk's offsets only after its dispositions
      // are written, so no lag means every published record has one (verify checks each). Counting
      // scans the collection on FerretDB: past 240 s at 1M records, it kept a drained run waiting.
      last = `lag ${JSON.stringify(lags)} (${totalLag} of ${published} records), indicator ready ${ready}`;
      if (totalLag === 0 && Object.keys(indicatorLag).length > 0 && ready) return;
    } catch (err) {
      last = `check failed: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`the pipeline did not drain within ${timeoutMs / 1000} s: ${last}`);
    await sleep(1000);
  }
}

const prefixKeys = (r: Record<string, number>, prefix: string) => Object.fromEntries(Object.entries(r).map(([k, v]) => [`${prefix} ${k}`, v]));
