// What an assessment stores of the action lists: the first entries of each list (ASSESSMENT_ACTION_ROWS,
// here a smaller number so that the small fixture's lists are cut) and the whole lists' lengths, read
// through two real indicator HTTP servers and the real IndicatorClient, over a store in memory.
import { ASSESSMENT_ACTION_ROWS, IndicatorClient } from '@siliconalley/api';
import { parsePeriod, type Assessment } from '@siliconalley/assessments';
import type { AcceptedEvent } from '@siliconalley/contract';
import { createLogger } from '@siliconalley/logger';
import { totalsOf, type Store } from '@siliconalley/store';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import { acceptedFixtureEvents } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import type { IndicatorState } from '@siliconalley/service-indicator/dist/state';
import { AssessmentRunner } from '../../src/assessments/runner';
import { WhatIf } from '../../src/what-if';
import { halvesOf, IndicatorServers } from './indicator-servers';

const SECRET = 'assessment-runner-test-secret-0123456789';
const NOW = new Date('2026-11-02T04:00:00Z');
const accepted: AcceptedEvent[] = acceptedFixtureEvents('small');
const indicators = new IndicatorServers(SECRET, NOW);
const startIndicator = (state: IndicatorState, partition: number) => indicators.start(state, partition);

/** A store in memory: what assessWith reads and writes. */
function memoryStore() {
  const published: Assessment[] = [];
  const store = {
    ledgers: { totals: async () => totalsOf([]) },
    assessments: {
      latest: async (period: string) => {
        const last = published.filter((a) => a.period === period).at(-1);
        return last ? { period, version: last.version, body: last } : null;
      },
      publish: async (doc: { body: Record<string, unknown> }) => {
        // As MongoDB stores it: a copy, JSON-shaped.
        published.push(JSON.parse(JSON.stringify(doc.body)) as Assessment);
        return true;
      },
    },
  } as unknown as Store;
  return { store, published };
}

let client: IndicatorClient;
beforeAll(async () => {
  const zones = defaultZoneRegistry();
  const [a, b] = halvesOf(accepted, zones);
  client = new IndicatorClient([await startIndicator(a, 0), await startIndicator(b, 1)], { secret: SECRET });
});

afterAll(async () => {
  await indicators.closeAll();
});

const runnerWith = (store: Store, actionRows?: number) =>
  new AssessmentRunner({
    store,
    indicators: client,
    definitions: async () => DEFAULT_TARGETS,
    logger: createLogger('test', 'silent'),
    now: () => NOW,
    ...(actionRows !== undefined && { actionRows }),
  });

describe('assessment action lists', () => {
  const period = parsePeriod('2025-Q4');

  it('keeps the first rows of each list in its order, and the whole lengths', async () => {
    const whole = await new WhatIf({ indicators: client, definitions: DEFAULT_TARGETS, now: () => NOW }).actions('T6_ZONE_SHARE', period.end, 180);
    const lengths = { renewalsDue: whole.renewalsDue.length, relocationCandidates: whole.relocationCandidates.length, nextTier: whole.nextTier.length };
    // The fixture's lists are longer than the 3 rows kept here (relocation: 161 candidates).
    expect(lengths.relocationCandidates).toBeGreaterThan(100);
    expect(lengths.renewalsDue).toBeGreaterThan(3);
    expect(lengths.nextTier).toBeGreaterThan(3);

    const { store, published } = memoryStore();
    const runner = runnerWith(store, 3);
    const outcome = await runner.assessWith(period, await runner.snapshot());
    expect(outcome.published).toBe(true);
    const stored = published[0]!.actions!;
    expect(stored).toEqual({
      target: 'T6_ZONE_SHARE',
      zone: 'QL',
      within: 180,
      renewalsDue: whole.renewalsDue.slice(0, 3),
      relocationCandidates: whole.relocationCandidates.slice(0, 3),
      nextTier: whole.nextTier.slice(0, 3),
      lengths,
    });
    // The what-if scenarios are built from the rows kept.
    expect(published[0]!.whatIf!.scenarios.map((s) => [s.id, s.events])).toEqual([
      ['renewals_granted', 3],
      ['next_tier_certified', 3],
    ]);

    // The same data again: nothing to publish.
    expect((await runner.assessWith(period, await runner.snapshot())).published).toBe(false);
    expect(published).toHaveLength(1);
  });

  it(`keeps ${ASSESSMENT_ACTION_ROWS.toLocaleString('en-US')} rows per list by default: the fixture's lists whole`, async () => {
    expect(ASSESSMENT_ACTION_ROWS).toBe(1000);
    const { store, published } = memoryStore();
    const runner = runnerWith(store);
    await runner.assessWith(period, await runner.snapshot());
    const stored = published[0]!.actions!;
    expect(stored.relocationCandidates.length).toBeGreaterThan(100);
    expect(stored.lengths).toEqual({
      renewalsDue: stored.renewalsDue.length,
      relocationCandidates: stored.relocationCandidates.length,
      nextTier: stored.nextTier.length,
    });
  });
});
