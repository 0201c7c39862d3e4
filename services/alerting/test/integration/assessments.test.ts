// Assessments on real components: fixture → Kafka → ingestion → indicator → alerting. A first start
// "in August 2026" publishes the periods closed by then; a restart today catches up the rest from the
// persisted cursor. Their KPI numbers equal expected.json; a late certification published through
// Kafka restates exactly the periods it falls in (v2 with the expected differences and its cause);
// the HTML report renders in headless Chromium without errors and with its charts drawn.
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import puppeteer from 'puppeteer-core';
import { parseConfig } from '@siliconalley/config';
import { createTestTopics, freePort, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import type { KafkaClient } from '@siliconalley/kafka';
import { chinaDateOf, parseKafkaRecord, type AcceptedEvent, type FirmEvent } from '@siliconalley/contract';
import { KpiEngine, type KpiEntry } from '@siliconalley/kpi-engine';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { acceptedFixtureEvents, FIXTURE_ARRIVAL, loadExpected, loadFixtureRecords, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { connectDatabase } from '@siliconalley/db';
import { INTERNAL_AUTH_HEADER } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import { createStore, type Store } from '@siliconalley/store';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator, type RunningIndicator } from '@siliconalley/service-indicator/dist/service';
import { gatewayConfigSchema } from '@siliconalley/service-gateway/dist/config';
import { startGateway } from '@siliconalley/service-gateway/dist/service';
import { assessmentListResponse } from '@siliconalley/api';
import { alertingConfigSchema } from '../../src/config';
import { startAlerting, type RunningAlerting } from '../../src/service';

jest.setTimeout(420000);

const records = loadFixtureRecords('small');
const expected = loadExpected('small');
const REPO = join(__dirname, '../../../..');

/** Closed months, quarters and years from 2024 up to `today` (counted here independently). */
function closedPeriodCount(today: string): number {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const months = (y - 2024) * 12 + (m - 1);
  return months + Math.floor(months / 3) + Math.floor(months / 12);
}

const kpiKey = (k: { id: string; scope: string; kind?: string; industry?: string; within?: number }) =>
  ['kpi', k.id, k.scope, k.kind, k.industry, k.within].filter((p) => p !== undefined).join('/');

function engineOf(events: readonly AcceptedEvent[]): KpiEngine {
  const byFirm = new Map<string, FirmEvent[]>();
  for (const e of events) if (!e.type.startsWith('task.')) byFirm.set(e.subject, [...(byFirm.get(e.subject) ?? []), e as FirmEvent]);
  const engine = new KpiEngine(defaultZoneRegistry());
  for (const [uscc, list] of byFirm) engine.setFirmEvents(uscc, list);
  return engine;
}

describe('assessments, end to end', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let indicator: RunningIndicator;
  let alerting: RunningAlerting;
  let store: Store;
  let base: string;
  let common: Record<string, string>;
  const stops: (() => Promise<void>)[] = [];
  const today = chinaDateOf(new Date());

  const startAlertingAt = async (now?: () => Date) => {
    const config = parseConfig('alerting', alertingConfigSchema, {
      ...common,
      HTTP_PORT: '0',
      INDICATOR_URL: `http://127.0.0.1:${indicator.apiPort}`,
      ASSESSMENT_CHECK_SECONDS: '1',
      ASSESSMENT_QUIET_SECONDS: '0',
      EVALUATION_INTERVAL_SECONDS: '3600',
    });
    alerting = await startAlerting(config, now ? { now } : {});
    base = `http://127.0.0.1:${alerting.apiPort}`;
  };
  /** A call as the gateway makes it: with INTERNAL_API_SECRET. */
  const internal = () => request.agent(base).set(INTERNAL_AUTH_HEADER, env.internalApiSecret);
  const listed = async () =>
    (await internal().get('/assessments').expect(200)).body.assessments as {
      period: string;
      version: number;
      asOf: string;
      statusSummary: Record<string, number>;
    }[];

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    common = {
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      SA_NAMESPACE: env.namespace,
      OPS_PORT: '0',
      LOG_LEVEL: 'warn',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const ingest = await startIngest(parseConfig('ingest', ingestConfigSchema, common));
    stops.push(() => ingest.lifecycle.shutdown('test done'));
    await publishRecords(kafka, records, env.namespace);
    indicator = await startIndicator(parseConfig('indicator', indicatorConfigSchema, { ...common, HTTP_PORT: '0' }));
    stops.push(() => indicator.lifecycle.shutdown('test done'));
    await waitUntil(
      'the indicator to apply every accepted event',
      async () => indicator.isReady() && indicator.state.applied > 0 && (await pipelineDrained(kafka)),
    );
    const conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace, logger: createLogger('test', 'warn') });
    stops.push(() => conn.close());
    store = createStore(conn);
  });

  afterAll(async () => {
    await alerting?.lifecycle.shutdown('test done');
    for (const stop of stops.reverse()) await stop();
    await kafka?.close();
  });

  it('a service that was down catches up every closed period from its persisted cursor', async () => {
    const august = new Date('2026-08-15T04:00:00Z');
    await startAlertingAt(() => august);
    const before = closedPeriodCount(chinaDateOf(august));
    await waitUntil('the August catch-up', async () => (await listed()).length === before, 240000, 2000);
    expect(await store.assessments.lastCompleted('month')).toBe('2026-07');
    expect(await store.assessments.lastCompleted('quarter')).toBe('2026-Q2');
    expect(await store.assessments.lastCompleted('year')).toBe('2025');
    await alerting.lifecycle.shutdown('restart');

    await startAlertingAt();
    await waitUntil('the catch-up of the periods closed since', async () => (await listed()).length === closedPeriodCount(today), 240000, 2000);
    const all = await listed();
    expect(all.every((a) => a.version === 1)).toBe(true);
    expect(all.map((a) => a.period)).toEqual(expect.arrayContaining(['2024-01', '2024-Q1', '2024', '2025', '2026-Q3', '2026-10']));
  });

  it('KPI numbers of every assessment equal expected.json on the matching dates', async () => {
    const all = await listed();
    let compared = 0;
    for (const a of all) {
      const wanted = expected.asOf[a.asOf];
      if (!wanted) continue;
      const body = (await internal().get(`/assessments/${a.period}`).expect(200)).body as {
        kpis: KpiEntry[];
        asOf: string;
        targets: { id: string; actual: number | null }[];
      };
      expect(body.asOf).toBe(a.asOf);
      const got = new Map(body.kpis.map((k) => [kpiKey(k), k.value]));
      expect(got.size).toBe(wanted.length);
      for (const w of wanted) {
        const v = got.get(kpiKey(w));
        if (typeof w.value === 'number' && !Number.isInteger(w.value)) expect(Math.abs((v as number) - w.value)).toBeLessThanOrEqual(1e-9 * Math.abs(w.value));
        else expect([kpiKey(w), v]).toEqual([kpiKey(w), w.value]);
      }
      for (const t of expected.targets[a.asOf] ?? []) {
        const judged = body.targets.find((x) => x.id === t.id)!;
        expect([t.id, judged.actual]).toEqual([t.id, t.actual]);
      }
      compared++;
    }
    // 2024-06-30 (month, quarter), 2024-12-31 (month, quarter, year), 2025-06-30 (2), 2025-12-31 (3), 2026-02-28, 2026-06-30 (2), 2026-10-31.
    expect(compared).toBe(14);
  });

  it('running a period again with the same data publishes nothing new (idempotent)', async () => {
    // 409 while a catch-up or restatement check runs; then 200 with the unchanged latest version.
    let res!: request.Response;
    await waitUntil('no other assessment run in progress', async () => (res = await internal().post('/assessments/2025-Q4/run')).status !== 409, 240000, 2000);
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.headers.location).toBe('/api/v1/assessments/2025-Q4?version=1');
  });

  it('refuses malformed, open and pre-plan periods with a clear 400, unknown versions with 404', async () => {
    for (const [path, says] of [
      ['/assessments/2025-Q5', 'not a period'],
      ['/assessments/..%2F..%2Fetc', 'not a period'],
      ['/assessments/2025-13', 'not a period'],
    ] as const) {
      const res = await internal().get(path).expect(400);
      expect(res.body.detail).toContain(says);
    }
    expect(
      (
        await internal()
          .post(`/assessments/${today.slice(0, 7)}/run`)
          .expect(400)
      ).body.detail,
    ).toContain('not over yet');
    expect((await internal().post('/assessments/2023-Q4/run').expect(400)).body.detail).toContain('before the plan');
    expect((await internal().get('/assessments/2025-Q4?version=9').expect(404)).body.detail).toContain('versions 1 to 1');
    expect((await internal().get('/assessments/2025-Q4?version=0').expect(400)).body.detail).toContain('positive');
  });

  it('with the lease held by another replica, a run is refused (409) and publishes nothing', async () => {
    expect(await store.leases.acquire('assessments', 'other-replica', 60000)).toBe(true);
    try {
      const res = await internal().post('/assessments/2025-Q4/run').expect(409);
      expect(res.headers['retry-after']).toBe('10');
      expect(await store.leases.acquire('assessments', alerting.assessments.holder, 60000)).toBe(false);
    } finally {
      await store.leases.release('assessments', 'other-replica');
    }
    // Lapsed leases are taken over.
    expect(await store.leases.acquire('assessments', 'crashed-replica', 1, new Date(Date.now() - 10000))).toBe(true);
    expect(await store.leases.acquire('assessments', 'another', 60000)).toBe(true);
    await store.leases.release('assessments', 'another');
  });

  it('a late certification restates exactly the periods it falls in, with the differences and their cause', async () => {
    // A firm in zone QL, active and not qualified on 2025-06-30, certified HNTE from 2025-05-01 — late.
    const fixtureEvents = acceptedFixtureEvents('small');
    const before = engineOf(fixtureEvents);
    const active = new Set(before.explain({ id: 'active_firms', scope: 'zone:QL' } as never, '2025-06-30').map((r) => r.uscc));
    const qualified = new Set(before.explain({ id: 'qualified_firms', scope: 'district' } as never, '2025-06-30').map((r) => r.uscc));
    const uscc = [...active].find((u) => !qualified.has(u))!;
    expect(uscc).toBeDefined();
    const late = {
      topic: 'siliconalley.certification.v1',
      key: uscc,
      headers: { 'content-type': 'application/cloudevents+json' },
      value: JSON.stringify({
        specversion: '1.0',
        id: 'late-hnte-0001',
        source: 'urn:dongcheng:stc-late',
        type: 'cn.gov.dongcheng.siliconalley.certification.granted.v1',
        time: '2026-11-20T02:00:00Z',
        subject: uscc,
        datacontenttype: 'application/json',
        data: {
          uscc,
          kind: 'HNTE',
          level: 'national',
          certificateNo: 'GR202511999999',
          validFrom: '2025-05-01',
          validUntil: null,
          issuer: '北京市科学技术委员会',
          batch: '2025-late',
        },
      }),
    };
    const verdict = parseKafkaRecord(late, { receivedAt: FIXTURE_ARRIVAL });
    if (!verdict.ok) throw new Error(`the late record must be valid: ${JSON.stringify(verdict)}`);
    const after = engineOf([...fixtureEvents, verdict.event]);
    const expectedChanges = (asOf: string) =>
      after
        .kpis(asOf)
        .map((k, i) => ({ key: kpiKey(k), from: before.kpis(asOf)[i]!.value, to: k.value }))
        .filter((c) => c.from !== c.to);

    // Every period whose numbers the late event changes gets exactly one more version; no other does.
    const wantedVersions = new Map((await listed()).map((a) => [a.period, expectedChanges(a.asOf).length > 0 ? a.version + 1 : a.version]));
    expect(wantedVersions.get('2025-04')).toBe(1);
    expect(wantedVersions.get('2025-06')).toBe(2);
    await publishRecords(kafka, [late], env.namespace);
    const restated = async () => (await listed()).every((a) => a.version === wantedVersions.get(a.period));
    await waitUntil('every period the late event falls in to be restated', async () => (await pipelineDrained(kafka)) && (await restated()), 300000, 2000);
    await alerting.scheduler!.tick();
    expect(await restated()).toBe(true);

    const v2 = (await internal().get('/assessments/2025-06').expect(200)).body;
    expect(v2.version).toBe(2);
    expect(v2.restatement.previousVersion).toBe(1);
    const kpiChanges = (v2.restatement.changes as { key: string }[]).filter((c) => c.key.startsWith('kpi/'));
    const wanted = expectedChanges('2025-06-30');
    expect(wanted.length).toBeGreaterThan(3);
    expect(kpiChanges.map((c) => c.key).sort()).toEqual(wanted.map((c) => c.key).sort());
    for (const w of wanted) {
      const c = (v2.restatement.changes as { key: string; from: number; to: number }[]).find((x) => x.key === w.key)!;
      expect(Math.abs(c.from - (w.from as number))).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(c.to - (w.to as number))).toBeLessThanOrEqual(1e-12);
    }
    expect(v2.restatement.changes.map((c: { key: string }) => c.key)).toContain('target/T6_ZONE_SHARE/actual');
    expect(v2.restatement.causes).toEqual([{ type: 'certification.granted', source: 'urn:dongcheng:stc-late', events: 1, examples: ['late-hnte-0001'] }]);

    // Earlier versions stay readable and unchanged; periods that end before 2025-05-01 are not restated.
    const v1 = (await internal().get('/assessments/2025-06?version=1').expect(200)).body;
    expect(v1.version).toBe(1);
    expect(v1.restatement).toBeNull();
    for (const w of wanted) expect(v1.kpis.find((k: KpiEntry) => kpiKey(k) === w.key).value).toBe(w.from);
  });

  it('serves CSV with a byte-order mark, one row per KPI, Chinese and English labels', async () => {
    const res = await internal()
      .get('/assessments/2025-Q4')
      .set('Accept', 'text/csv')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    const json = (await internal().get('/assessments/2025-Q4').expect(200)).body;
    expect(lines).toHaveLength(json.kpis.length + 1);
    expect(lines[0]).toContain('指标');
    expect(lines.some((l) => l.includes('国家高新技术企业') && l.includes('National high-tech enterprise'))).toBe(true);
  });

  it('the HTML report is self-contained and renders in headless Chromium with its charts and no console error', async () => {
    const res = await internal().get('/assessments/2025-06').set('Accept', 'text/html').expect(200);
    const html = res.text;
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import|url\(/i);
    expect(html).toContain('更正说明');
    const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`request ${r.url()}`));
      await page.setViewport({ width: 1100, height: 900 });
      await page.setContent(html, { waitUntil: 'load' });
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((s) => ({ id: s.getAttribute('data-chart'), width: s.getBoundingClientRect().width, marks: s.querySelectorAll('path, rect, circle').length })),
      );
      expect(charts.map((c) => c.id)).toEqual(['headline', 'zones', 'industries']);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(300);
        expect(c.marks).toBeGreaterThan(3);
      }
      const drawn = await page.$eval('svg.chart[data-chart=headline] path[data-series^="实际"]', (p) =>
        (p as unknown as { getTotalLength(): number }).getTotalLength(),
      );
      expect(drawn).toBeGreaterThan(100);
      expect(errors).toEqual([]);
      const dir = join(REPO, '.local', 'test-artifacts');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'assessment-2025-06.png') as `${string}.png`, fullPage: true });
      writeFileSync(join(dir, 'assessment-2025-06.html'), html);
    } finally {
      await browser.close();
    }
  });

  it('through the gateway: evaluators read, only operators run, and `npm run assess` prints the report', async () => {
    const port = await freePort();
    const gateway = await startGateway(
      parseConfig('gateway', gatewayConfigSchema, {
        ...common,
        HTTP_PORT: String(port),
        INDICATOR_URL: `http://127.0.0.1:${indicator.apiPort}`,
        ALERTING_URL: base,
      }),
    );
    stops.push(() => gateway.lifecycle.shutdown('test done'));
    const api = `http://127.0.0.1:${port}`;
    const evaluator = (await store.tokens.issue('evaluator', { label: 'assessments test' })).token;
    const operator = (await store.tokens.issue('operator', { label: 'assessments test' })).token;
    const list = await request(api).get('/api/v1/assessments').set('Authorization', `Bearer ${evaluator}`).expect(200);
    expect(list.body.assessments).toHaveLength(closedPeriodCount(today));
    // Exactly the fields the OpenAPI document promises (it forbids others; schemathesis found one undeclared).
    for (const item of list.body.assessments) expect(assessmentListResponse.shape.assessments.element.strict().safeParse(item).error).toBeUndefined();
    await request(api).post('/api/v1/assessments/2025-Q4/run').set('Authorization', `Bearer ${evaluator}`).expect(403);
    await waitUntil(
      'an operator run through the gateway',
      async () => (await request(api).post('/api/v1/assessments/2025-Q4/run').set('Authorization', `Bearer ${operator}`)).status === 200,
      240000,
      2000,
    );
    const csv = await request(api)
      .get('/api/v1/assessments/2025-Q4?version=1')
      .set('Authorization', `Bearer ${evaluator}`)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="siliconalley-assessment-2025-Q4-v1.csv"');
    // Read with a token: the browser may keep a published version for good, a shared cache never.
    expect(csv.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const latest = await request(api).get('/api/v1/assessments/2025-Q4').set('Authorization', `Bearer ${evaluator}`).expect(200);
    expect(latest.headers['cache-control']).toBe('private, no-cache');

    // Asynchronously: the gateway answering the command runs in this very process.
    const cli = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(__dirname, '../../dist/assess-cli.js'), ...args], {
          env: { ...process.env, SA_API_URL: api, SA_TOKEN: evaluator },
        });
        const [out, err] = [[] as Buffer[], [] as Buffer[]];
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => err.push(c));
        child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
      });
    const asCsv = await cli('2025-Q4', '--format', 'csv');
    expect(asCsv.stderr).toBe('');
    expect(asCsv.status).toBe(0);
    expect(asCsv.stdout.charCodeAt(0)).toBe(0xfeff);
    const json = (await internal().get('/assessments/2025-Q4').expect(200)).body;
    expect(asCsv.stdout.trimEnd().split('\r\n')).toHaveLength(json.kpis.length + 1);
    const asHtml = await cli('2025-06', '--format', 'html', '--version', '1');
    expect(asHtml.status).toBe(0);
    expect(asHtml.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(asHtml.stdout).not.toContain('更正说明');
    const missing = await cli('2025-06', '--version', '7');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('there is no version 7');
  });
});
