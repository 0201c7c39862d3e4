// Acceptance: the KPIs of shared/fixtures/small equal expected.json exactly, on every as-of date.
import type { AcceptedEvent, FirmEvent } from '@siliconalley/contract';
import { acceptedFixtureEvents, loadExpected, type ExpectedKpiEntry } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { groupEventsByFirm, KpiEngine, seriesKey, type KpiEntry, type KpiRef } from '../../src';

const expected = loadExpected('small');
const accepted: AcceptedEvent[] = acceptedFixtureEvents('small');
const asOfDates = Object.keys(expected.asOf);

/** Counts must be equal; ratios within 1e-9 relative (kpis.md). */
function sameValue(actual: number | null, wanted: number | null): boolean {
  if (actual === null || wanted === null) return actual === wanted;
  if (Number.isInteger(wanted)) return actual === wanted;
  return Math.abs(actual - wanted) <= 1e-9 * Math.abs(wanted);
}

function compare(entries: KpiEntry[], wanted: ExpectedKpiEntry[]): { missing: string[]; extra: string[]; different: string[] } {
  const actual = new Map(entries.map((e) => [seriesKey(e), e.value]));
  const wantedByKey = new Map(wanted.map((e) => [seriesKey(e as KpiRef), e.value]));
  return {
    missing: [...wantedByKey.keys()].filter((k) => !actual.has(k)),
    extra: [...actual.keys()].filter((k) => !wantedByKey.has(k)),
    different: [...wantedByKey].filter(([k, v]) => actual.has(k) && !sameValue(actual.get(k)!, v)).map(([k, v]) => `${k}: expected ${v}, got ${actual.get(k)}`),
  };
}
const NO_DIFFERENCE = { missing: [], extra: [], different: [] };

describe('fixture small: KPIs as of every expected date', () => {
  const engine = new KpiEngine(defaultZoneRegistry());
  for (const [uscc, events] of groupEventsByFirm(accepted)) engine.setFirmEvents(uscc, events);

  it('loads the fixture', () => {
    expect(asOfDates).toHaveLength(9);
    expect(accepted.length).toBeGreaterThan(2800);
  });

  it.each(asOfDates)('as of %s: every entry of expected.json, no more, no less', (date) => {
    expect(compare(engine.kpis(date), expected.asOf[date]!)).toEqual(NO_DIFFERENCE);
  });

  it('gives the same entries in the same order as expected.json', () => {
    const shape = (e: { id: string; scope: string; kind?: string; industry?: string; within?: number }) => seriesKey(e as KpiRef);
    expect(engine.kpis(asOfDates[0]!).map(shape)).toEqual(expected.asOf[asOfDates[0]!]!.map(shape));
  });

  it('ends the same when events are applied in arrival order, one at a time', () => {
    const incremental = new KpiEngine(defaultZoneRegistry());
    const seen = new Map<string, FirmEvent[]>();
    for (const event of accepted) {
      if (event.type === 'task.progress.reported') continue;
      const own = [...(seen.get(event.subject) ?? []), event];
      seen.set(event.subject, own);
      incremental.setFirmEvents(event.subject, own);
    }
    for (const date of asOfDates) expect([date, compare(incremental.kpis(date), expected.asOf[date]!)]).toEqual([date, NO_DIFFERENCE]);
  });
});
