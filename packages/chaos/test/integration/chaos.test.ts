// The CI-size chaos run (the on-demand one is `npm run test:chaos`, sized by --events): a simulated
// provider log replayed in steps while every service process is SIGKILLed at seeded moments (≥ 10
// kills), a consumer is frozen past its session timeout, and the test stack's broker and database
// are each killed and restarted on the same ports and data. Afterwards every disposition, every
// dead letter, every lag, every KPI on every month end (against a recount from the event store),
// every target and task (against a judgement on that recount) and the rebalance count must be
// exactly right (packages/chaos src/verify.ts).
import { connectDatabase, pingDatabase } from '@siliconalley/db';
import { testLayout } from '@siliconalley/devstack';
import { KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { testEnv } from '@siliconalley/testkit';
import { fixtureLog, loadSimulator, simulatedLog, type ChaosLog } from '../../src/log';
import { runChaos, type ChaosReport } from '../../src/run';

// The run has its own deadlines (drain ≤ 4 min) and always stops its services; this is the backstop.
jest.setTimeout(600000);

const SEED = Number(process.env.CHAOS_SEED ?? 20261126);

function ciLog(): ChaosLog {
  const simulate = loadSimulator();
  // ~3,200 records: large enough for faults to fall on work in flight, small enough for 5 minutes on 2 cores.
  return simulate ? simulatedLog({ firms: 1000, from: '2015-01-01', to: '2026-10-31', seed: SEED }, simulate) : fixtureLog('small');
}

describe('chaos: the pipeline under kills, a frozen consumer, and broker and database restarts', () => {
  let report: ChaosReport;

  it('ends with exact dispositions, dead letters, KPIs, targets and tasks, no lag, bounded rebalances', async () => {
    const env = testEnv();
    if (!process.env.SA_TEST_STACK_DIR)
      throw new Error("SA_TEST_STACK_DIR is unset: the chaos test restarts the test stack's broker and database (run it with `npm test`)");
    report = await runChaos({
      log: ciLog(),
      seed: SEED,
      brokers: env.brokers,
      mongoUrl: env.mongoUrl,
      namespace: env.namespace,
      layout: { ...testLayout, dir: process.env.SA_TEST_STACK_DIR },
      kills: 10,
      steps: 8,
      maxDelayMs: 1000,
      restartBroker: true,
      restartDatabase: true,
      pause: true,
      poison: true,
      drainTimeoutMs: 240000,
      say: (line) => process.stderr.write(`${line}\n`),
    });
    const { verify, ...summary } = report;
    process.stderr.write(`${JSON.stringify({ ...summary, faults: summary.faults.length, verify: { ...verify, problems: undefined } })}\n`);

    expect(report.problems).toEqual([]);
    expect(report.totalKills).toBeGreaterThanOrEqual(10);
    for (const [service, kills] of Object.entries(report.kills)) expect([service, kills >= 1]).toEqual([service, true]);
    const kinds = report.faults.map((f) => f.fault.kind);
    expect(kinds.filter((k) => k === 'restart-broker')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'restart-database')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'pause')).toHaveLength(1);
    // The poison record was dead-lettered, not retried forever (its partition drained: lags are checked).
    expect(report.verify.counts.rejected.processing_failed).toBe(1);
    expect(report.verify.kpis.entries).toBeGreaterThan(0);
    expect(report.verify.targets.dates).toBeGreaterThan(0);
  });

  afterAll(async () => {
    // Whatever happened, the stack the next suites use must answer again (same ports, same data).
    const env = testEnv();
    const kafka = new KafkaClient({ brokers: env.brokers, clientId: 'chaos-check', logger: createLogger('chaos-check', 'silent') });
    const deadline = Date.now() + 120000;
    while (!(await kafka.ping()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    expect(await kafka.ping()).toBe(true);
    await kafka.close();
    const conn = await connectDatabase({ url: env.mongoUrl, namespace: env.namespace });
    expect(await pingDatabase(conn)).toBe(true);
    await conn.close();
  });
});
