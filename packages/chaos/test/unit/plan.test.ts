import { faultPlan, type PlanOptions } from '../../src/plan';

const options: PlanOptions = {
  seed: 42,
  services: ['ingest-registration', 'ingest-task', 'indicator', 'alerting', 'gateway'],
  kills: 10,
  pauseService: 'ingest-registration',
  sessionTimeoutMs: 6000,
  restartBroker: true,
  restartDatabase: true,
  steps: 10,
};

describe('faultPlan', () => {
  it('is a function of the seed: the same seed gives the same plan, another seed another one', () => {
    expect(faultPlan(options)).toEqual(faultPlan({ ...options }));
    expect(faultPlan({ ...options, seed: 43 })).not.toEqual(faultPlan(options));
  });

  it('plans every kill, one pause past the session timeout, one broker and one database restart', () => {
    const plan = faultPlan(options);
    const kills = plan.filter((p) => p.fault.kind === 'kill');
    expect(kills).toHaveLength(10);
    for (const s of options.services) expect(kills.filter((p) => p.fault.kind === 'kill' && p.fault.service === s)).toHaveLength(2);
    const uneven = faultPlan({ ...options, kills: 7 }).filter((p) => p.fault.kind === 'kill');
    expect(options.services.map((s) => uneven.filter((p) => p.fault.kind === 'kill' && p.fault.service === s).length)).toEqual([2, 2, 1, 1, 1]);
    const pauses = plan.filter((p) => p.fault.kind === 'pause');
    expect(pauses).toHaveLength(1);
    expect(pauses[0]!.fault.kind === 'pause' && pauses[0]!.fault.pauseMs).toBeGreaterThan(options.sessionTimeoutMs);
    expect(plan.filter((p) => p.fault.kind === 'restart-broker')).toHaveLength(1);
    expect(plan.filter((p) => p.fault.kind === 'restart-database')).toHaveLength(1);
  });

  it('puts every fault while the log is still arriving (before the last step), in step order', () => {
    const plan = faultPlan(options);
    for (const p of plan) {
      expect(p.step).toBeGreaterThanOrEqual(0);
      expect(p.step).toBeLessThan(options.steps - 1);
    }
    expect(plan.map((p) => p.step)).toEqual([...plan.map((p) => p.step)].sort((a, b) => a - b));
    expect(new Set(plan.map((p) => p.step)).size).toBeGreaterThan(3);
  });

  it('refuses a log published in one step (no moment for faults while it arrives)', () => {
    expect(() => faultPlan({ ...options, steps: 1 })).toThrow(/at least 2 steps/);
  });
});
