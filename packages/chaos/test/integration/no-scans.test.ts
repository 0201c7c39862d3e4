// No scans of the event or disposition store outside an explicit offline rebuild: the cost of
// every replay, API view and periodic loop must grow with the work, not with the history
// (shared/spec/architecture.md). FerretDB's SQLite backend scans a collection for every filtered
// read, so a scan that MongoDB would hide behind an index shows up here as a minutes-long read at a
// million events.
//
// Every service runs as a child process (as in the chaos run) with its MONGO_URL pointing at a
// recording relay in front of the test stack's database (packages/testkit recorder.ts); the relay
// sees every command each process sends, labelled with the service (its appName) and the phase:
//   startup — the services start (index creation, first loop ticks)
//   replay  — the small fixture is published and drained through ingestion and the indicator
//   loops   — the alerting evaluation loop and the assessment scheduler run after the replay: the
//             catch-up of every closed period, then a restatement check after a late event
//   views   — one round of every API view through the gateway, plus an assessment run and an HTTP
//             ingest of a duplicate
// and the scan policy (packages/testkit scan-policy.ts) must find nothing in any of them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chinaDateOf, shortTypeOf, SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { connectDatabase, type Connection } from '@siliconalley/db';
import { createTestTopics, publishRecords } from '@siliconalley/devstack';
import { CONSUMER_GROUPS, type KafkaClient } from '@siliconalley/kafka';
import { createStore } from '@siliconalley/store';
import {
  commandLines,
  formatViolations,
  loadDispositions,
  loadFixtureRecords,
  mongoTarget,
  scanViolations,
  startDatabaseRecorder,
  testEnv,
  waitUntil,
  type DatabaseRecorder,
} from '@siliconalley/testkit';
import { freePort, httpOk, ServiceProcess, type ServiceSpec } from '../../src/services';

// The phases have their own deadlines; this is the backstop.
jest.setTimeout(600000);

const BIG_COLLECTIONS = ['events', 'disposition_chunks'];
/** Seconds between alerting evaluations and between assessment checks: several of each fit the test. */
const LOOP_SECONDS = 2;
const ALL_STREAMS = ['enterprise', 'certification', 'task'];

/** Closed months, quarters and years from 2024 up to `today` (as the alerting assessment test counts them). */
function closedPeriodCount(today: string): number {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const months = (y - 2024) * 12 + (m - 1);
  return months + Math.floor(months / 3) + Math.floor(months / 12);
}

/** Sum of a counter's samples on a /metrics page whose labels include every `labels` pair. */
async function counter(opsPort: number, name: string, labels: Record<string, string | RegExp> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([k, want]) => (typeof want === 'string' ? got[k] === want : want.test(got[k] ?? '')))) sum += Number(m[3]);
  }
  return sum;
}

/**
 * Drained: ingestion has committed every source record (it commits a chunk only after producing its
 * accepted events), then the indicator has committed every accepted event and is ready. Checked in
 * that order, so an accepted event produced between the two reads cannot slip through.
 */
async function drained(kafka: KafkaClient, indicator: ServiceProcess): Promise<boolean> {
  const ingestLag = await kafka.consumerLag(
    kafka.group(CONSUMER_GROUPS.ingest(ALL_STREAMS)),
    SOURCE_TOPICS.map((t) => kafka.topic(t)),
  );
  if (Object.values(ingestLag).some((n) => n > 0)) return false;
  const indicatorLag = await kafka.consumerLag(kafka.group(CONSUMER_GROUPS.indicator), [kafka.topic(TOPICS.accepted)]);
  return Object.keys(indicatorLag).length > 0 && Object.values(indicatorLag).every((n) => n === 0) && (await indicator.ready());
}

describe('no scans of the event or disposition store', () => {
  let recorder: DatabaseRecorder;
  let kafka: KafkaClient;
  let conn: Connection;
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    for (const s of [...services].reverse()) await s.stop();
    await kafka?.close().catch(() => undefined);
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close().catch(() => undefined);
    await recorder?.close();
  });

  it('replay, periodic loops and every API view read the big collections only by key', async () => {
    const env = testEnv();
    const say = (line: string) => process.stderr.write(`[no-scans] ${line}\n`);
    const logDir = mkdtempSync(join(tmpdir(), 'sa-no-scans-'));
    recorder = await startDatabaseRecorder(mongoTarget(env.mongoUrl));
    kafka = await createTestTopics(env);
    // The test's own connection goes straight to the database: issuing tokens and the clean-up are not the product's reads.
    conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    const store = createStore(conn);
    await store.ensureIndexes();
    const evaluator = (await store.tokens.issue('evaluator', { label: 'no-scans' })).token;
    const operator = (await store.tokens.issue('operator', { label: 'no-scans' })).token;

    // A fixture record that was accepted, in structured mode: posted again over HTTP, it is a duplicate;
    // under a new id, it is the late event that makes the assessment scheduler restate.
    const records = loadFixtureRecords('small');
    const dispositions = loadDispositions('small');
    const again = records.find((r, i) => dispositions[i]?.disposition === 'accepted' && r.headers['content-type']?.startsWith('application/cloudevents+json'));
    if (!again) throw new Error('the small fixture has no accepted record in structured mode');
    const againEvent = JSON.parse(again.value) as { id: string; source: string; type: string };
    const shortType = shortTypeOf(againEvent.type);
    if (!shortType) throw new Error(`unknown event type ${againEvent.type}`);
    const provider = (await store.tokens.issue('provider', { types: [shortType], source: againEvent.source, label: 'no-scans' })).token;

    const ports = { gateway: await freePort(), indicatorApi: await freePort(), alertingApi: await freePort() };
    const common = {
      NODE_ENV: 'test',
      KAFKA_BROKERS: env.brokers.join(','),
      SA_NAMESPACE: env.namespace,
      LOG_LEVEL: process.env.NO_SCANS_SERVICE_LOG_LEVEL ?? 'info',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const indicatorUrl = `http://127.0.0.1:${ports.indicatorApi}`;
    const specs: ServiceSpec[] = [
      { name: 'ingest', workspace: 'ingest', opsPort: await freePort(), env: { ...common, SERVICE_NAME: 'ingest', INGEST_STREAMS: ALL_STREAMS.join(',') } },
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
        env: {
          ...common,
          SERVICE_NAME: 'alerting',
          HTTP_PORT: String(ports.alertingApi),
          INDICATOR_URL: indicatorUrl,
          EVALUATION_INTERVAL_SECONDS: String(LOOP_SECONDS),
          ASSESSMENTS_ENABLED: 'true',
          ASSESSMENT_CHECK_SECONDS: String(LOOP_SECONDS),
          // Long enough that the catch-up waits for the end of the replay (gaps between its batches are shorter).
          ASSESSMENT_QUIET_SECONDS: '10',
        },
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
    // Each service talks to the database through the relay, named by its appName.
    for (const spec of specs)
      services.push(
        new ServiceProcess({ ...spec, env: { ...spec.env, MONGO_URL: recorder.url(env.mongoUrl, spec.name) } }, join(logDir, `${spec.name}.log`), say),
      );
    const [, indicator, alerting, gateway] = services as [ServiceProcess, ServiceProcess, ServiceProcess, ServiceProcess];
    say(`namespace ${env.namespace}; service logs in ${logDir}`);

    const t0 = Date.now();
    const took = () => `${Math.round((Date.now() - t0) / 1000)} s`;

    // A phase that cannot finish (a service failing, a deadline) still reports the scans seen up to then.
    let failure: Error | null = null;
    try {
      // --- startup
      recorder.phase('startup');
      for (const s of services) s.start();
      for (const s of services) await s.waitReady(120000);
      say(`services ready after ${took()}`);

      // --- replay
      recorder.phase('replay');
      await publishRecords(kafka, records, env.namespace);
      await waitUntil('ingestion and the indicator to drain the fixture', () => drained(kafka, indicator), 240000, 1000);
      say(`replayed ${records.length} records, drained after ${took()}`);

      // --- loops: an evaluation that starts after the replay, the catch-up of every closed period, and
      // a restatement check after a late event. The scheduler works under its lease (the runner's
      // "assessments" lease, read over the test's own connection): it is idle once the lease stays free.
      recorder.phase('loops');
      const evaluations = () => counter(alerting.spec.opsPort, 'siliconalley_target_evaluations_total', { outcome: 'ok' });
      const assessmentRuns = () => counter(alerting.spec.opsPort, 'siliconalley_assessment_runs_total', { kind: /^(month|quarter|year)$/ });
      const schedulerIdle = (what: string) => {
        let freeSince: number | null = null;
        return waitUntil(
          `the assessment scheduler to go idle after ${what}`,
          async () => {
            if ((await store.leases.holderOf('assessments')) !== null) freeSince = null;
            else freeSince ??= Date.now();
            return freeSince !== null && Date.now() - freeSince >= 3 * LOOP_SECONDS * 1000;
          },
          240000,
          250,
        );
      };
      const evaluationsAtDrain = await evaluations();
      const periods = closedPeriodCount(chinaDateOf(new Date()));
      await waitUntil(
        `two successful alerting evaluations after the replay (had ${evaluationsAtDrain})`,
        async () => (await evaluations()) >= evaluationsAtDrain + 2,
        120000,
        500,
      ).catch(async (err: Error) => {
        const failed = await counter(alerting.spec.opsPort, 'siliconalley_target_evaluations_total', { outcome: 'error' });
        throw new Error(`${err.message}; ${failed} evaluations failed (alerting.log says why)`);
      });
      await waitUntil(`the assessment catch-up of ${periods} closed periods`, async () => (await assessmentRuns()) >= periods, 300000, 1000);
      await schedulerIdle('the catch-up');
      // Whether a restatement check ran after the catch-up depends on timing; a late event (a fixture
      // event under a new id) makes it certain: the check must find the published periods it falls in.
      const runsBeforeLate = await assessmentRuns();
      await publishRecords(kafka, [{ ...again, value: JSON.stringify({ ...JSON.parse(again.value), id: `${againEvent.id}-late` }) }], env.namespace);
      await waitUntil('the late event to be ingested and applied', () => drained(kafka, indicator), 120000, 1000);
      await waitUntil('the restatement check to reassess the periods of the late event', async () => (await assessmentRuns()) > runsBeforeLate, 120000, 500);
      await schedulerIdle('the restatement');
      say(
        `loops ran: ${(await evaluations()) - evaluationsAtDrain} evaluations, ${await assessmentRuns()} assessment runs (${periods} closed periods), after ${took()}`,
      );

      // --- views: one round of every API view through the gateway.
      recorder.phase('views');
      const api = `http://127.0.0.1:${ports.gateway}/api/v1`;
      const call = async (
        path: string,
        token: string,
        init: RequestInit = {},
        accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
      ): Promise<Response> => {
        const res = await fetch(`${api}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
          signal: AbortSignal.timeout(120000),
        });
        if (!accept(res.status)) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
        return res;
      };
      const views = [
        '/kpis',
        '/kpis?asOf=2025-06-30',
        '/kpis/series?id=zone_share&scope=zone:QL&from=2024-01-31&to=2025-06-30&step=month',
        '/kpis/series?id=qualified_firms&scope=district&from=2025-06-01&to=2025-06-30&step=day',
        '/kpis/explain?id=qualified_firms&scope=zone:QL&asOf=2025-06-30',
        '/targets',
        '/targets?asOf=2025-06-30',
        '/targets/T6_ZONE_SHARE/decomposition?from=2023-12-31&to=2025-12-31',
        '/tasks?asOf=2025-06-30',
        '/departments?asOf=2025-06-30',
        '/pipeline',
        '/assessments',
        '/assessments/2025-Q4',
        '/assessments/2025-Q4?format=csv',
        '/assessments/2025-Q4?format=html',
      ];
      for (const path of views) await call(path, evaluator);
      await call('/targets/audit', operator);
      // 200 (unchanged) or 201; 409 only while another run holds the lease.
      let run: Response | null = null;
      await waitUntil(
        'an assessment run of 2025-Q4',
        async () => (run = await call('/assessments/2025-Q4/run', operator, { method: 'POST' }, (s) => s === 200 || s === 201 || s === 409)).status !== 409,
        120000,
        1000,
      );
      expect([200, 201]).toContain(run!.status);
      // HTTP ingest of an event already stored: whatever the gateway tells the provider, ingestion settles it as a duplicate.
      await call('/events', provider, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: again.value });
      await waitUntil('the posted duplicate to be ingested', () => drained(kafka, indicator), 120000, 1000);
      say(`views done after ${took()}`);
      recorder.phase('after');
    } catch (err) {
      failure = err as Error;
      recorder.phase('after');
    }

    const commands = recorder.commands.filter((c) => c.phase !== 'after');
    const onBig = commands.filter((c) => c.collection !== null && BIG_COLLECTIONS.includes(c.collection));
    const byPhase = (phase: string) => commands.filter((c) => c.phase === phase).length;
    say(
      `recorded ${commands.length} commands (${onBig.length} on ${BIG_COLLECTIONS.join(', ')}): startup ${byPhase('startup')}, replay ${byPhase('replay')}, loops ${byPhase('loops')}, views ${byPhase('views')}`,
    );
    // NO_SCANS_DUMP=file: every recorded command as a line of extended JSON, to see what a service sends.
    if (process.env.NO_SCANS_DUMP) writeFileSync(process.env.NO_SCANS_DUMP, commandLines(commands));
    const violations = scanViolations(commands, { bigCollections: BIG_COLLECTIONS });
    const report = violations.length
      ? `${violations.length} scans of ${BIG_COLLECTIONS.join(' / ')} (phase, then [service] command collection, filter/sort/limit/pipeline of the first of each kind):\n${formatViolations(violations)}`
      : '';
    if (report) say(report);
    if (failure) throw new Error(`${failure.message} (service logs in ${logDir})\n${report || 'no scans recorded up to then'}`);
    // The recording saw the work: the replay's inserts, and something from every service.
    expect(onBig.filter((c) => c.command === 'insert' && c.phase === 'replay').length).toBeGreaterThan(0);
    for (const s of services) expect([s.name, commands.some((c) => c.app === s.name)]).toEqual([s.name, true]);
    for (const s of services) expect([s.name, s.unexpectedExits]).toEqual([s.name, []]);
    expect(await httpOk(`http://127.0.0.1:${gateway.spec.opsPort}/readyz`)).toBe(true);
    // The report itself is the failure message: which phase, which service, which read.
    if (violations.length) throw new Error(report);
    expect(violations).toHaveLength(0);
  });
});
