// Acceptance: T6_ZONE_SHARE and T32_SERVICE_PLATFORMS of shared/fixtures/small equal expected.json.
import { groupEventsByFirm, KpiEngine, type KpiRef } from '@siliconalley/kpi-engine';
import { acceptedFixtureEvents, loadExpected } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { DEFAULT_TARGETS, judgeTarget, type KpiReader } from '../../src';

const expected = loadExpected('small');
const engine = new KpiEngine(defaultZoneRegistry());
for (const [uscc, events] of groupEventsByFirm(acceptedFixtureEvents('small'))) engine.setFirmEvents(uscc, events);
const reader: KpiReader = { value: (ref, asOf) => engine.value(ref as KpiRef, asOf) };

/** Counts and statuses equal; ratios within 1e-9 relative (kpis.md). */
function close(actual: unknown, wanted: unknown): boolean {
  if (typeof wanted !== 'number' || typeof actual !== 'number') return actual === wanted;
  return actual === wanted || Math.abs(actual - wanted) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(wanted));
}

const cases = Object.entries(expected.targets).flatMap(([date, targets]) => targets.map((t) => [date, t.id, t] as const));

describe('fixture small: targets', () => {
  it('covers both fixture targets on every date', () => {
    expect(cases).toHaveLength(2 * 9);
  });

  it.each(cases)('as of %s: %s', (date, id, wanted) => {
    const definition = DEFAULT_TARGETS.find((t) => t.id === id)!;
    const judged = judgeTarget(definition, date, reader);
    const differences = Object.entries(wanted)
      .filter(([field, value]) =>
        field === 'firmsNeeded' ? JSON.stringify(judged.firmsNeeded) !== JSON.stringify(value) : !close(judged[field as keyof typeof judged], value),
      )
      .map(([field, value]) => `${field}: expected ${JSON.stringify(value)}, got ${JSON.stringify(judged[field as keyof typeof judged])}`);
    expect(differences).toEqual([]);
    expect(judged.method).toBe('linear-v1');
  });
});
