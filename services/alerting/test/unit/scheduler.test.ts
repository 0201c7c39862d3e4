// When scheduled assessments wait, and what the restatement watch re-checks: judged from maintained
// state only (ingest ledgers, the broker's partition ends, the indicator's applied offsets and
// changes), here given by small in-memory stand-ins for those interfaces of ours.
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import type { KafkaClient } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { emptyLedger, settle, totalsOf, type LedgerState, type Store } from '@siliconalley/store';
import type { AssessmentRunner } from '../../src/assessments/runner';
import { AssessmentScheduler } from '../../src/assessments/scheduler';

const ENTERPRISE = SOURCE_TOPICS[0]!;

function world() {
  const w = {
    ledgers: [] as LedgerState[],
    ends: { [TOPICS.accepted]: { '0': '10' } } as Record<string, Record<string, string>>,
    applied: { ready: true, offsets: { '0': '10' } as Record<string, string> },
    changes: { minEffectiveDate: null as string | null, groups: [] },
    changesAsked: [] as Record<string, string>[],
    cutoffs: [] as { period: string; receivedUpTo: string | null; acceptedOffsets: Record<string, string> }[],
    assessed: [] as string[],
    pending: [] as boolean[],
  };
  const store = {
    ledgers: { totals: async () => totalsOf(w.ledgers) },
    assessments: { cutoffs: async () => w.cutoffs, lastCompleted: async () => '2026-10', setLastCompleted: async () => undefined },
  } as unknown as Store;
  const kafka = {
    topic: (t: string) => t,
    partitionEnds: async (topics: string[]) => Object.fromEntries(topics.map((t) => [t, w.ends[t] ?? {}])),
  } as unknown as KafkaClient;
  const runner = {
    today: () => '2026-12-02',
    exclusive: async (fn: (renew: () => Promise<void>) => Promise<unknown>) => fn(async () => undefined),
    snapshot: async () => ({}),
    assessWith: async (period: { id: string }) => {
      w.assessed.push(period.id);
      return { published: false };
    },
  } as unknown as AssessmentRunner;
  const scheduler = new AssessmentScheduler({
    runner,
    store,
    kafka,
    indicators: {
      applied: async () => w.applied,
      changesSince: async (since: Readonly<Record<string, string>>) => {
        w.changesAsked.push({ ...since });
        return w.changes;
      },
    },
    logger: createLogger('scheduler-test', 'silent'),
    checkSeconds: 60,
    quietSeconds: 0,
    onCatchUpPending: (pending) => w.pending.push(pending),
  });
  return { w, scheduler };
}

/** A ledger for partition 0 of the enterprise topic that settled `n` records. */
const settledLedger = (n: number) =>
  settle(
    emptyLedger(ENTERPRISE, 0),
    Array.from({ length: n }, (_, i) => ({
      offset: String(i),
      disposition: 'accepted' as const,
      reason: null,
      source: 'urn:a',
      eventTime: '2025-01-01T00:00:00Z',
      receivedAt: new Date('2026-01-01T00:00:00Z'),
    })),
  );

describe('assessment scheduler on maintained state', () => {
  it('defers a catch-up while ingestion has records to settle, then runs', async () => {
    const { w, scheduler } = world();
    w.ledgers = [settledLedger(5)];
    w.ends[ENTERPRISE] = { '0': '8' }; // three records published, not yet settled
    expect(await scheduler.catchUp(['month'])).toBe(0);
    expect(w.assessed).toEqual([]);
    w.ledgers = [settledLedger(8)];
    expect(await scheduler.catchUp(['month'])).toBe(1);
    expect(w.assessed).toEqual(['2026-11']);
    // The catch-up gauge: pending from the start and while deferred, done once the catch-up ran.
    expect(w.pending).toEqual([true, true, false]);
  });

  it('defers while the indicator replays or lags, and while nothing was ever received', async () => {
    const { w, scheduler } = world();
    w.ends[ENTERPRISE] = {};
    expect(await scheduler.catchUp(['month'])).toBe(0); // nothing received yet
    w.ledgers = [{ ...emptyLedger(ENTERPRISE, 1), newestReceivedAt: new Date('2026-01-01T00:00:00Z') }];
    w.applied = { ready: false, offsets: { '0': '10' } };
    expect(await scheduler.catchUp(['month'])).toBe(0);
    w.applied = { ready: true, offsets: { '0': '9' } };
    expect(await scheduler.catchUp(['month'])).toBe(0);
    expect(w.assessed).toEqual([]);
    w.applied = { ready: true, offsets: { '0': '10' } };
    expect(await scheduler.catchUp(['month'])).toBe(1);
  });

  it('re-checks exactly the published periods that the applied changes fall in, from each cut-off, then from the last check', async () => {
    const { w, scheduler } = world();
    w.cutoffs = [
      { period: '2025-03', receivedUpTo: null, acceptedOffsets: { '0': '4' } },
      { period: '2025-06', receivedUpTo: null, acceptedOffsets: { '0': '7' } },
    ];
    w.changes = { minEffectiveDate: '2025-04-15', groups: [] };
    await scheduler.checkRestatements();
    expect(w.changesAsked).toEqual([{ '0': '4' }, { '0': '7' }]);
    expect(w.assessed).toEqual(['2025-06']); // an April event does not change March
    // Nothing applied since: no question asked, nothing re-assessed.
    await scheduler.checkRestatements();
    expect(w.changesAsked).toHaveLength(2);
    // More applied: asked once, from the offsets of the last check.
    w.applied = { ready: true, offsets: { '0': '12' } };
    w.ends[TOPICS.accepted] = { '0': '12' };
    w.changes = { minEffectiveDate: '2025-02-01', groups: [] };
    await scheduler.checkRestatements();
    expect(w.changesAsked.slice(2)).toEqual([{ '0': '10' }]);
    expect(w.assessed).toEqual(['2025-06', '2025-03', '2025-06']);
  });
});
