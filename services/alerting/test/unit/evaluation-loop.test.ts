// The evaluation loop judges only caught-up data and lets one replica publish flags. Our own
// interfaces (pipeline progress, the evaluator, flag states, the lease) are small in-memory
// stand-ins here; the real ones are exercised in test/integration.
import request from 'supertest';
import { createMetricsRegistry, createOpsApp } from '@siliconalley/http';
import { createLogger } from '@siliconalley/logger';
import type { FlagState, TargetJudgement } from '@siliconalley/targets';
import type { AlertEvent } from '../../src/alerts';
import type { PipelineProgress } from '../../src/catch-up';
import type { TaskEntry } from '../../src/evaluate';
import { EvaluationLoop, FLAGS_LEASE, type FlagLease, type FlagStates } from '../../src/evaluation-loop';
import { alertingMetrics } from '../../src/metrics';

const SRC = 'siliconalley.enterprise.v1';

function judgement(id: string, status: TargetJudgement['status'], ratio: number): TargetJudgement {
  return {
    id,
    kpi: 'new_service_platforms',
    scope: 'district',
    baselineDate: '2024-01-01',
    due: '2026-12-31',
    method: 'linear-v1',
    baseline: 0,
    target: 10,
    actual: ratio * 8,
    expected: 8,
    ratio,
    forecast: null,
    status,
    gapToPath: 8 - ratio * 8,
  };
}

/** Shared by the replicas of one test: the pipeline, the judgements, the stored flags and the lease. */
function world() {
  const w = {
    progress: { published: 10, settled: 10, accepted: 10, applied: 10, ready: true },
    judgements: [judgement('T_LAG', 'lagging', 0.2), judgement('T_OK', 'on_track', 0.9)],
    tasks: [] as TaskEntry[],
    judged: 0,
    stored: new Map<string, FlagState>(),
    lease: null as string | null,
    published: [] as AlertEvent[],
    nowMs: Date.parse('2026-12-02T04:00:00Z'),
  };
  const flagStates: FlagStates = {
    load: async () => new Map(w.stored),
    save: async (s) => {
      for (const [k, v] of s) w.stored.set(k, { ...v });
    },
    remove: async (ids) => {
      for (const id of ids) w.stored.delete(id);
    },
  };
  const leases: FlagLease = {
    acquire: async (name, holder) => {
      expect(name).toBe(FLAGS_LEASE);
      if (w.lease === null || w.lease === holder) w.lease = holder;
      return w.lease === holder;
    },
    release: async (_name, holder) => {
      if (w.lease === holder) w.lease = null;
    },
  };
  const progress = async (): Promise<PipelineProgress> => {
    const p = w.progress;
    return {
      sourceEnds: { [SRC]: { '0': String(p.published) } },
      settled: { [SRC]: { '0': String(p.settled) } },
      acceptedEnds: { '0': String(p.accepted) },
      applied: { '0': String(p.applied) },
      indicatorReady: p.ready,
      newestReceivedAt: new Date(0),
      at: new Date(),
    };
  };
  const replica = (holder: string) => {
    const registry = createMetricsRegistry('alerting-test');
    const loop = new EvaluationLoop({
      evaluator: {
        today: () => '2026-12-02',
        targets: async () => {
          w.judged++;
          return w.judgements;
        },
        tasksOn: async () => w.tasks,
      },
      progress,
      catchUpWaitMs: 0, // one reading per evaluation: the tests set the pipeline between evaluations
      flagStates,
      leases,
      holder,
      leaseTtlMs: 60_000,
      publish: async (e) => void w.published.push(e),
      metrics: alertingMetrics(registry),
      logger: createLogger('loop-test', 'silent'),
      now: () => new Date(w.nowMs),
    });
    const ops = createOpsApp({ logger: createLogger('test', 'silent'), registry, readiness: {} });
    const metrics = async () => (await request(ops).get('/metrics').expect(200)).text.replace(/,?service="alerting-test"/g, '').replace(/\{\}/g, '');
    return { loop, metrics };
  };
  return { w, replica };
}

const raised = (events: AlertEvent[]) =>
  events.filter((e) => e.data.change === 'raised').map((e) => ('target' in e.data ? e.data.target : `task:${e.data.task}`));

describe('EvaluationLoop', () => {
  it('judges nothing and publishes nothing until the pipeline has caught up; then raises each flag once', async () => {
    const { w, replica } = world();
    const a = replica('a');
    w.progress = { published: 100, settled: 40, accepted: 30, applied: 30, ready: true };
    expect(await a.loop.evaluate()).toBe('waiting');
    w.progress = { published: 100, settled: 100, accepted: 80, applied: 50, ready: true };
    expect(await a.loop.evaluate()).toBe('waiting');
    expect(w.judged).toBe(0);
    expect(w.published).toEqual([]);
    let text = await a.metrics();
    expect(text).toMatch(/^siliconalley_evaluation_ready 0$/m);
    expect(text).not.toMatch(/^siliconalley_target_flagged/m);
    expect(text).toMatch(/^siliconalley_target_evaluations_total\{outcome="waiting"\} 2$/m);

    w.progress = { published: 100, settled: 100, accepted: 80, applied: 80, ready: true };
    expect(await a.loop.evaluate()).toBe('ok');
    expect(raised(w.published)).toEqual(['T_LAG']);
    text = await a.metrics();
    expect(text).toMatch(/^siliconalley_evaluation_ready 1$/m);
    expect(text).toMatch(/^siliconalley_target_flagged\{target="T_LAG"\} 1$/m);
    expect(text).toMatch(/^siliconalley_target_flagged\{target="T_OK"\} 0$/m);
    expect(text).toMatch(/^siliconalley_flags_leader 1$/m);
  });

  it('while the indicator replays after a restart, the flag series keep their caught-up values and nothing changes', async () => {
    const { w, replica } = world();
    const a = replica('a');
    expect(await a.loop.evaluate()).toBe('ok');
    expect(raised(w.published)).toEqual(['T_LAG']);
    // The indicator restarts and replays; meanwhile its answers would say T_LAG recovered and T_OK lags.
    w.progress = { ...w.progress, applied: 3, ready: false };
    w.judgements = [judgement('T_LAG', 'on_track', 0.9), judgement('T_OK', 'lagging', 0.1)];
    const judgedBefore = w.judged;
    expect(await a.loop.evaluate()).toBe('waiting');
    w.progress = { ...w.progress, applied: 6, ready: true };
    expect(await a.loop.evaluate()).toBe('waiting');
    expect(w.judged).toBe(judgedBefore);
    expect(w.published).toHaveLength(1);
    const text = await a.metrics();
    expect(text).toMatch(/^siliconalley_evaluation_ready 0$/m);
    expect(text).toMatch(/^siliconalley_target_flagged\{target="T_LAG"\} 1$/m);
    expect(text).toMatch(/^siliconalley_target_flagged\{target="T_OK"\} 0$/m);
  });

  it('two replicas: only the lease holder publishes and exports flag series; the other takes over from the stored flags', async () => {
    const { w, replica } = world();
    const a = replica('a');
    const b = replica('b');
    expect(await a.loop.evaluate()).toBe('ok');
    expect(await b.loop.evaluate()).toBe('ok');
    expect(raised(w.published)).toEqual(['T_LAG']);
    expect(a.loop.isLeader()).toBe(true);
    expect(b.loop.isLeader()).toBe(false);
    const standby = await b.metrics();
    expect(standby).toMatch(/^siliconalley_flags_leader 0$/m);
    expect(standby).toMatch(/^siliconalley_target_status\{target="T_LAG",status="lagging"\} 1$/m);
    expect(standby).not.toMatch(/^siliconalley_target_flagged/m);

    await a.loop.stop();
    expect(w.lease).toBeNull();
    expect(await b.loop.evaluate()).toBe('ok');
    expect(b.loop.isLeader()).toBe(true);
    expect(b.loop.flagStates().get('T_LAG')).toMatchObject({ flagged: true });
    expect(w.published).toHaveLength(1); // T_LAG is not raised a second time
    expect(await b.metrics()).toMatch(/^siliconalley_target_flagged\{target="T_LAG"\} 1$/m);
  });

  it('a failed publish keeps the flag unraised, so the next evaluation publishes it', async () => {
    const { w, replica } = world();
    const a = replica('a');
    const publish = w.published.push.bind(w.published);
    let fail = true;
    w.published.push = (...e: AlertEvent[]) => {
      if (fail) throw new Error('broker unavailable');
      return publish(...e);
    };
    expect(await a.loop.evaluate()).toBe('error');
    expect(w.stored.get('T_LAG')?.flagged ?? false).toBe(false);
    fail = false;
    expect(await a.loop.evaluate()).toBe('ok');
    expect(raised(w.published)).toEqual(['T_LAG']);
  });

  it("a deleted target's flag series says 0 (its alert resolves at once under last_over_time), then goes", async () => {
    const { w, replica } = world();
    const a = replica('a');
    expect(await a.loop.evaluate()).toBe('ok');
    expect(await a.metrics()).toMatch(/^siliconalley_target_flagged\{target="T_LAG"\} 1$/m);
    w.judgements = w.judgements.filter((j) => j.id !== 'T_LAG');
    expect(await a.loop.evaluate()).toBe('ok');
    let text = await a.metrics();
    expect(text).toMatch(/^siliconalley_target_flagged\{target="T_LAG"\} 0$/m);
    expect(text).not.toMatch(/^siliconalley_target_status\{target="T_LAG"/m);
    w.nowMs += 21 * 60_000;
    expect(await a.loop.evaluate()).toBe('ok');
    text = await a.metrics();
    expect(text).not.toMatch(/^siliconalley_target_flagged\{target="T_LAG"/m);
    expect(text).toMatch(/^siliconalley_target_flagged\{target="T_OK"\} 0$/m);
  });

  it('schedules itself: the next evaluation after the interval once judged, sooner while waiting; none after stop', async () => {
    const { w, replica } = world();
    const a = replica('a');
    const scheduled: { fn: () => void; ms: number }[] = [];
    // Lets the evaluation in flight finish (its awaits are all on in-memory stand-ins).
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    w.progress = { published: 10, settled: 5, accepted: 5, applied: 5, ready: true };
    a.loop.start({
      intervalSeconds: 60,
      retrySeconds: 3,
      setTimer: (fn, ms) => {
        scheduled.push({ fn, ms });
        return {};
      },
    });
    await settle();
    expect(scheduled.map((t) => t.ms)).toEqual([3000]); // waiting: retry soon
    w.progress = { published: 10, settled: 10, accepted: 10, applied: 10, ready: true };
    scheduled[0]!.fn();
    await settle();
    expect(scheduled.map((t) => t.ms)).toEqual([3000, 60_000]); // judged: the full interval
    expect(w.judged).toBe(1);
    await a.loop.stop();
    scheduled[1]!.fn();
    await settle();
    expect(scheduled).toHaveLength(2);
    expect(w.judged).toBe(1);
  });
});
