// The whole path on real components: fixture → Kafka → ingestion → event store + accepted topic →
// indicator → alerting. GET /targets must equal expected.json's targets for every date (ratios
// within 1e-9 relative), and TASKS_COMPLETED's actual its tasksCompleted.
import request from 'supertest';
import { parseConfig } from '@siliconalley/config';
import { createTestTopics, pipelineDrained, publishRecords } from '@siliconalley/devstack';
import type { InboundRecord, KafkaClient } from '@siliconalley/kafka';
import { chinaDateOf, TOPICS } from '@siliconalley/contract';
import { INTERNAL_AUTH_HEADER } from '@siliconalley/http';
import { FLAGGED_STATUSES, type TargetStatus } from '@siliconalley/targets';
import { loadExpected, loadFixtureRecords, promtoolCheckMetrics, testEnv, waitUntil, type TestEnv } from '@siliconalley/testkit';
import { ingestConfigSchema } from '@siliconalley/service-ingest/dist/config';
import { startIngest } from '@siliconalley/service-ingest/dist/service';
import { indicatorConfigSchema } from '@siliconalley/service-indicator/dist/config';
import { startIndicator, type RunningIndicator } from '@siliconalley/service-indicator/dist/service';
import { TASK_ALERT_EVENT_TYPE } from '../../src/alerts';
import { alertingConfigSchema } from '../../src/config';
import { startAlerting, type RunningAlerting } from '../../src/service';

jest.setTimeout(240000);

const records = loadFixtureRecords('small');
const expected = loadExpected('small');

function close(actual: unknown, wanted: unknown): boolean {
  if (typeof wanted !== 'number' || typeof actual !== 'number') return actual === wanted;
  return actual === wanted || Math.abs(actual - wanted) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(wanted));
}

describe('alerting on the small fixture, end to end', () => {
  let env: TestEnv;
  let kafka: KafkaClient;
  let indicator: RunningIndicator;
  let alerting: RunningAlerting;
  let base: string;
  let alertingEnv: Record<string, string>;
  const stops: (() => Promise<void>)[] = [];
  /** A call as the gateway makes it: with INTERNAL_API_SECRET. */
  const internal = () => request.agent(base).set(INTERNAL_AUTH_HEADER, env.internalApiSecret);

  beforeAll(async () => {
    env = testEnv();
    kafka = await createTestTopics(env);
    const common = {
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
    await waitUntil('the indicator to apply every accepted event', async () => {
      if (!indicator.isReady()) return false;
      return indicator.state.applied > 0 && (await pipelineDrained(kafka));
    });
    // Assessments have their own test (assessments.test.ts); here they would only add load.
    alertingEnv = { ...common, HTTP_PORT: '0', INDICATOR_URL: `http://127.0.0.1:${indicator.apiPort}`, ASSESSMENTS_ENABLED: 'false' };
    alerting = await startAlerting(parseConfig('alerting', alertingConfigSchema, alertingEnv));
    stops.push(() => alerting.lifecycle.shutdown('test done'));
    base = `http://127.0.0.1:${alerting.apiPort}`;
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await kafka?.close();
  });

  const dates = Object.keys(expected.targets);

  it('GET /targets equals expected.json targets and tasksCompleted on every date', async () => {
    const problems: string[] = [];
    for (const asOf of dates) {
      const res = await internal().get(`/targets?asOf=${asOf}`).expect(200);
      expect(res.body.asOf).toBe(asOf);
      const got = res.body.targets as Record<string, unknown>[];
      expect(got.map((t) => t.id)).toEqual(['T6_ZONE_SHARE', 'T32_SERVICE_PLATFORMS', 'TASKS_COMPLETED']);
      for (const wanted of expected.targets[asOf]!) {
        const judged = got.find((t) => t.id === wanted.id)!;
        for (const [field, value] of Object.entries(wanted)) {
          const ok = field === 'firmsNeeded' ? JSON.stringify(judged.firmsNeeded) === JSON.stringify(value) : close(judged[field], value);
          if (!ok) problems.push(`${asOf} ${wanted.id}.${field}: expected ${JSON.stringify(value)}, got ${JSON.stringify(judged[field])}`);
        }
        expect(judged.method).toBe('linear-v1');
      }
      const tasks = got.find((t) => t.id === 'TASKS_COMPLETED')!;
      if (tasks.actual !== expected.tasksCompleted[asOf])
        problems.push(`${asOf} TASKS_COMPLETED.actual: expected ${expected.tasksCompleted[asOf]}, got ${JSON.stringify(tasks.actual)}`);
    }
    expect(problems).toEqual([]);
  });

  it('GET /tasks lists the 34 tasks, and completed ones agree with tasksCompleted', async () => {
    for (const asOf of dates) {
      const res = await internal().get(`/tasks?asOf=${asOf}`).expect(200);
      expect(res.body.tasks).toHaveLength(34);
      expect((res.body.tasks as { status: string | null }[]).filter((t) => t.status === 'completed')).toHaveLength(expected.tasksCompleted[asOf]!);
      for (const t of res.body.tasks as { lead: string[]; overdue: boolean; blocked: boolean }[]) {
        expect(t.lead.length).toBeGreaterThan(0);
        expect(typeof t.overdue).toBe('boolean');
        expect(typeof t.blocked).toBe('boolean');
      }
    }
  });

  it('GET /departments gives a scorecard per department whose completed counts add up over lead tasks', async () => {
    const asOf = '2026-10-31';
    const [deps, tasks] = await Promise.all([internal().get(`/departments?asOf=${asOf}`).expect(200), internal().get(`/tasks?asOf=${asOf}`).expect(200)]);
    const byId = new Map((tasks.body.tasks as { id: number; status: string | null }[]).map((t) => [t.id, t]));
    expect(deps.body.departments.length).toBeGreaterThan(0);
    for (const d of deps.body.departments as { ledTaskIds: number[]; completed: number }[]) {
      expect(d.completed).toBe(d.ledTaskIds.filter((id) => byId.get(id)?.status === 'completed').length);
    }
  });

  it('evaluates today: gauges pass promtool, flags match the statuses, each raised flag is a CloudEvent on the alert topic', async () => {
    expect(await alerting.evaluateNow()).toBe('ok');
    const today = await internal().get('/targets').expect(200);
    const flaggedNow = (today.body.targets as { id: string; status: TargetStatus | null }[])
      .filter((t) => t.status !== null && FLAGGED_STATUSES.includes(t.status))
      .map((t) => t.id);
    const targetFlags = () =>
      [...alerting.flags()]
        .filter(([id, f]) => f.flagged && !id.startsWith('task:'))
        .map(([id]) => id)
        .sort();
    expect(targetFlags()).toEqual([...flaggedNow].sort());

    const metrics = await request(`http://127.0.0.1:${alerting.opsPort}`).get('/metrics').expect(200);
    expect(promtoolCheckMetrics(metrics.text)).toEqual([]);
    for (const t of today.body.targets as { id: string; status: string }[]) {
      expect(metrics.text).toMatch(new RegExp(`^siliconalley_target_flagged\\{target="${t.id}"[^}]*\\} ${flaggedNow.includes(t.id) ? 1 : 0}$`, 'm'));
      expect(metrics.text).toMatch(new RegExp(`^siliconalley_target_status\\{target="${t.id}",status="${t.status}"[^}]*\\} 1$`, 'm'));
    }

    const records: InboundRecord[] = [];
    const consumer = await kafka.consume({
      groupId: kafka.group(`alert-readback-${Date.now()}`),
      topics: [kafka.topic(TOPICS.alert)],
      handleChunk: async (chunk) => void records.push(...chunk),
    });
    try {
      type Alert = { specversion: string; type: string; subject: string; data: { target: string; change: string } };
      const targetEvents = () => records.map((r) => JSON.parse(r.value!.toString('utf8')) as Alert).filter((e) => e.type !== TASK_ALERT_EVENT_TYPE);
      await waitUntil('a raised flag per flagged target on the alert topic', async () => targetEvents().length >= flaggedNow.length);
      const events = targetEvents();
      expect(events.map((e) => e.data.target).sort()).toEqual([...flaggedNow].sort());
      for (const e of events) {
        expect(e).toMatchObject({
          specversion: '1.0',
          type: 'siliconalley.alert.target.flag.v1',
          subject: `target/${e.data.target}`,
          data: { change: 'raised' },
        });
      }
    } finally {
      await consumer.stop();
    }
  });

  const published = async () =>
    Object.values((await kafka.partitionEnds([kafka.topic(TOPICS.alert)]))[kafka.topic(TOPICS.alert)] ?? {}).reduce((n, end) => n + Number(end), 0);
  const flaggedIds = (a: RunningAlerting) =>
    [...a.flags()]
      .filter(([, f]) => f.flagged)
      .map(([id]) => id)
      .sort();
  const startReplica = () => startAlerting(parseConfig('alerting', alertingConfigSchema, alertingEnv));

  it('a restart keeps the flags (stored): no flag is raised twice', async () => {
    const before = await published();
    expect(before).toBeGreaterThan(0);
    const flaggedBefore = flaggedIds(alerting);
    expect(flaggedBefore.length).toBeGreaterThan(0);
    await alerting.lifecycle.shutdown('restart'); // gives the flags lease up
    alerting = await startReplica();
    base = `http://127.0.0.1:${alerting.apiPort}`;
    expect(await alerting.evaluateNow()).toBe('ok');
    expect(alerting.isFlagsLeader()).toBe(true);
    expect(flaggedIds(alerting)).toEqual(flaggedBefore);
    expect(await published()).toBe(before);
  });

  it('two replicas: one publishes flags, the other exports no flag series and takes over when the first stops', async () => {
    const before = await published();
    const flaggedBefore = flaggedIds(alerting);
    const second = await startReplica();
    let adopted = false;
    try {
      expect(await second.evaluateNow()).toBe('ok');
      expect(alerting.isFlagsLeader()).toBe(true);
      expect(second.isFlagsLeader()).toBe(false);
      const standby = (await request(`http://127.0.0.1:${second.opsPort}`).get('/metrics').expect(200)).text;
      expect(standby).toMatch(/^siliconalley_flags_leader(\{[^}]*\})? 0$/m);
      expect(standby).toMatch(/^siliconalley_target_status\{/m);
      expect(standby).not.toMatch(/^siliconalley_target_flagged\{/m);
      const leader = (await request(`http://127.0.0.1:${alerting.opsPort}`).get('/metrics').expect(200)).text;
      expect(leader).toMatch(/^siliconalley_flags_leader(\{[^}]*\})? 1$/m);
      expect(leader).toMatch(/^siliconalley_target_flagged\{/m);

      await alerting.lifecycle.shutdown('the leader stops'); // releases the lease
      alerting = second;
      adopted = true;
      base = `http://127.0.0.1:${alerting.apiPort}`;
      expect(await alerting.evaluateNow()).toBe('ok');
      expect(alerting.isFlagsLeader()).toBe(true);
      // The new publisher continues from the stored flags: nothing is raised a second time.
      expect(flaggedIds(alerting)).toEqual(flaggedBefore);
      expect(await published()).toBe(before);
    } finally {
      if (!adopted) await second.lifecycle.shutdown('test failed');
    }
  });

  it('plan tasks overdue or blocked today are flagged (task CloudEvents), and a report published through Kafka clears one', async () => {
    expect(await alerting.evaluateNow()).toBe('ok');
    const tasks = (await internal().get('/tasks').expect(200)).body.tasks as {
      id: number;
      overdue: boolean;
      blocked: boolean;
      lead: string[];
      dueQuarter: string | null;
      status: string | null;
    }[];
    const offending = tasks
      .filter((t) => t.overdue || t.blocked)
      .map((t) => t.id)
      .sort((a, b) => a - b);
    const taskFlags = () =>
      [...alerting.flags()]
        .filter(([id, f]) => f.flagged && id.startsWith('task:'))
        .map(([id]) => Number(id.slice(5)))
        .sort((a, b) => a - b);
    expect(taskFlags()).toEqual(offending);
    const overdue = tasks.find((t) => t.overdue && !t.blocked && t.dueQuarter !== null);
    expect(overdue).toBeDefined();

    type TaskAlert = { type: string; subject: string; data: { task: number; change: string; reason: string | null } };
    const records: InboundRecord[] = [];
    const consumer = await kafka.consume({
      groupId: kafka.group(`task-alert-readback-${Date.now()}`),
      topics: [kafka.topic(TOPICS.alert)],
      handleChunk: async (chunk) => void records.push(...chunk),
    });
    const taskEvents = () => records.map((r) => JSON.parse(r.value!.toString('utf8')) as TaskAlert).filter((e) => e.type === TASK_ALERT_EVENT_TYPE);
    try {
      await waitUntil(
        'a raised task flag per offending task on the alert topic',
        async () => taskEvents().filter((e) => e.data.change === 'raised').length >= offending.length,
      );
      expect([...new Set(taskEvents().map((e) => e.data.task))].sort((a, b) => a - b)).toEqual(offending);
      for (const e of taskEvents())
        expect(e).toMatchObject({ subject: `task/${e.data.task}`, data: { change: 'raised', reason: expect.stringMatching(/^(overdue|blocked)$/) } });

      // The lead department reports for the quarter due: the task is no longer overdue; the flag clears.
      const t = overdue!;
      const report = {
        specversion: '1.0',
        id: `e2e-task-report-${env.namespace}`,
        source: 'urn:dongcheng:taskforce',
        type: 'cn.gov.dongcheng.siliconalley.task.progress.reported.v1',
        time: new Date().toISOString(),
        subject: String(t.id),
        datacontenttype: 'application/json',
        data: { taskId: t.id, department: t.lead[0], period: t.dueQuarter, status: 'in_progress', percentComplete: 50, narrative: '端到端测试进展' },
      };
      await publishRecords(
        kafka,
        [{ topic: 'siliconalley.task.v1', key: String(t.id), headers: { 'content-type': 'application/cloudevents+json' }, value: JSON.stringify(report) }],
        env.namespace,
      );
      await waitUntil(
        `task ${t.id} to be reported (no longer overdue)`,
        async () => !(await alerting.evaluator.tasksOn(chinaDateOf(new Date()))).find((x) => x.id === t.id)!.overdue,
      );
      expect(await alerting.evaluateNow()).toBe('ok');
      expect(alerting.flags().get(`task:${t.id}`)).toMatchObject({ flagged: false });
      await waitUntil(`a cleared flag for task ${t.id}`, async () => taskEvents().some((e) => e.data.task === t.id && e.data.change === 'cleared'));
    } finally {
      await consumer.stop();
    }
  });

  it('GET /targets/T6_ZONE_SHARE/decomposition 2023-12-31 → 2025-12-31: effects from the qualified_firms counts, firm turnover from /partial/turnover', async () => {
    const [a, b] = ['2023-12-31', '2025-12-31'];
    const count = (date: string, scope: string) => expected.asOf[date]!.find((k) => k.id === 'qualified_firms' && k.scope === scope)!.value!;
    const [za, zb, da, db] = [count(a, 'zone:QL'), count(b, 'zone:QL'), count(a, 'district'), count(b, 'district')];
    const res = await internal().get(`/targets/T6_ZONE_SHARE/decomposition?from=${a}&to=${b}`).expect(200);
    expect(res.body).toMatchObject({ target: 'T6_ZONE_SHARE', scope: 'zone:QL', from: a, to: b, zone: { from: za, to: zb }, district: { from: da, to: db } });
    expect(res.body.numeratorEffect).toBe((zb - za) / db);
    expect(res.body.denominatorEffect).toBe(za * (1 / db - 1 / da));
    expect(res.body.numeratorEffect + res.body.denominatorEffect).toBeCloseTo(res.body.delta, 15);
    expect(res.body.zoneFirms.gained - res.body.zoneFirms.lost).toBe(zb - za);
    expect(res.body.districtFirms.gained - res.body.districtFirms.lost).toBe(db - da);
    await internal().get('/targets/T32_SERVICE_PLATFORMS/decomposition?from=2023-12-31&to=2025-12-31').expect(400);
    await internal().get('/targets/NOPE/decomposition?from=2023-12-31&to=2025-12-31').expect(404);
    await internal().get(`/targets/T6_ZONE_SHARE/decomposition?from=${b}&to=${a}`).expect(400);
  });

  it('operator targets: POST validates and stores, GET /targets judges them, DELETE removes them, every change audited', async () => {
    const op = {
      id: 'OP_QL_QUALIFIED',
      kpi: 'qualified_firms',
      scope: 'zone:QL',
      baselineDate: '2024-12-31',
      target: { multiplier: 2 },
      due: '2026-12-31',
      method: 'linear-v1',
    };
    const actor = { 'x-sa-actor': 'sa_TeSt1', 'x-sa-actor-label': encodeURIComponent('运营 ops') };
    const bad = await internal()
      .post('/targets')
      .set(actor)
      .send({ ...op, scope: 'zone QL', due: '2020-01-01' })
      .expect(400);
    expect(bad.body.detail).toMatch(/scope: must be "district" or "zone:<ID>"/);
    expect(bad.body.detail).toMatch(/due: due must be after baselineDate/);
    await internal().post('/targets').send(op).expect(400); // no actor: not audited, refused
    for (const id of ['T6_ZONE_SHARE', 'T32_SERVICE_PLATFORMS', 'TASKS_COMPLETED'])
      await internal()
        .post('/targets')
        .set(actor)
        .send({ ...op, id })
        .expect(409);
    const created = await internal().post('/targets').set(actor).send(op).expect(201);
    expect(created.headers.location).toBe('/api/v1/targets/OP_QL_QUALIFIED');
    await internal().post('/targets').set(actor).send(op).expect(409);

    const asOf = '2025-12-31';
    const judged = (await internal().get(`/targets?asOf=${asOf}`).expect(200)).body.targets as Record<string, unknown>[];
    expect(judged.map((t) => t.id)).toEqual(['T6_ZONE_SHARE', 'T32_SERVICE_PLATFORMS', 'TASKS_COMPLETED', 'OP_QL_QUALIFIED']);
    const count = (date: string) => expected.asOf[date]!.find((k) => k.id === 'qualified_firms' && k.scope === 'zone:QL')!.value!;
    expect(judged[3]).toMatchObject({ baseline: count('2024-12-31'), target: 2 * count('2024-12-31'), actual: count(asOf), method: 'linear-v1' });

    for (const id of ['T6_ZONE_SHARE', 'TASKS_COMPLETED']) await internal().delete(`/targets/${id}`).set(actor).expect(409);
    await internal().delete('/targets/NOPE').set(actor).expect(404);
    await internal().delete('/targets/OP_QL_QUALIFIED').set({ 'x-sa-actor': 'sa_OtHeR' }).expect(204);
    expect(((await internal().get('/targets').expect(200)).body.targets as { id: string }[]).map((t) => t.id)).toEqual([
      'T6_ZONE_SHARE',
      'T32_SERVICE_PLATFORMS',
      'TASKS_COMPLETED',
    ]);

    const audit = (await internal().get('/targets/audit').expect(200)).body.entries as Record<string, unknown>[];
    expect(audit.map((e) => [e.targetId, e.action, e.actor, e.actorLabel, e.before, e.after])).toEqual([
      ['OP_QL_QUALIFIED', 'delete', 'sa_OtHeR', null, op, null],
      ['OP_QL_QUALIFIED', 'create', 'sa_TeSt1', '运营 ops', null, op],
    ]);
    expect(Date.parse(audit[0]!.at as string)).toBeGreaterThanOrEqual(Date.parse(audit[1]!.at as string));
  });

  it('answers only callers with INTERNAL_API_SECRET: a forged x-sa-actor without it creates nothing', async () => {
    expect({ api: alerting.apiAddress, ops: alerting.opsAddress }).toEqual({ api: '127.0.0.1', ops: '127.0.0.1' });
    const op = {
      id: 'FORGED_TARGET',
      kpi: 'qualified_firms',
      scope: 'district',
      baselineDate: '2024-12-31',
      target: { multiplier: 2 },
      due: '2026-12-31',
      method: 'linear-v1',
    };
    for (const secret of [undefined, 'a-wrong-secret-of-at-least-32-characters']) {
      const post = request(base).post('/targets').set({ 'x-sa-actor': 'sa_forged', 'x-sa-actor-label': 'admin' });
      const res = await (secret ? post.set(INTERNAL_AUTH_HEADER, secret) : post).send(op);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      await request(base).delete('/targets/T6_ZONE_SHARE').set({ 'x-sa-actor': 'sa_forged' }).expect(401);
      for (const path of ['/targets', '/targets/audit', '/tasks', '/departments']) expect([path, (await request(base).get(path)).status]).toEqual([path, 401]);
    }
    // Nothing was created or audited; the indicator behind it refuses the same way.
    expect(((await internal().get('/targets').expect(200)).body.targets as { id: string }[]).map((t) => t.id)).not.toContain('FORGED_TARGET');
    expect(((await internal().get('/targets/audit').expect(200)).body.entries as { actor: string }[]).map((e) => e.actor)).not.toContain('sa_forged');
    const explain = await fetch(`http://127.0.0.1:${indicator.apiPort}/kpis/explain?id=qualified_firms&scope=district&asOf=2025-06-30`);
    expect(explain.status).toBe(401);
    expect(await explain.text()).not.toMatch(/uscc/);
  });

  it('refuses a malformed or future asOf with 400', async () => {
    await internal().get('/targets?asOf=2025-13-01').expect(400);
    await internal().get('/tasks?asOf=2999-01-01').expect(400);
  });
});
