// What-if deltas: stored counts + a firm's delta = the counts of an engine that applied the events.
import { acceptedFixtureEvents } from '@siliconalley/testkit';
import { defaultZoneRegistry } from '@siliconalley/zones';
import type { FirmEvent } from '@siliconalley/contract';
import { addCounts, firmWhatIfDelta, groupEventsByFirm, intervalCounts, KpiEngine, type CountsByDate } from '../../src';
import { granted, IN_QL_START, registered } from '../builders';

const zones = defaultZoneRegistry();
const dates = ['2023-12-31', '2024-06-30', '2025-12-31', '2026-12-31'];
const countsOf = (engine: KpiEngine): CountsByDate =>
  Object.fromEntries(dates.map((d) => [d, Object.fromEntries(Object.entries(engine.seriesCounts(d)).filter(([, n]) => n !== 0))]));

describe('what-if deltas', () => {
  const firms = groupEventsByFirm(acceptedFixtureEvents('small'));
  const engine = new KpiEngine(zones);
  for (const [uscc, events] of firms) engine.setFirmEvents(uscc, events);

  it('a held firm: stored counts + delta equal the counts with the events applied', () => {
    const [uscc, stored] = [...firms].find(([, events]) => events.some((e) => e.type === 'certification.granted'))!;
    const hypothetical: FirmEvent[] = [granted({ kind: 'HNTE', validFrom: '2024-03-01', certificateNo: 'WHATIF-1' }, { uscc, id: 'what-if-1' })];
    const expected = new KpiEngine(zones);
    for (const [u, events] of firms) expected.setFirmEvents(u, u === uscc ? [...events, ...hypothetical] : events);
    const withDelta = addCounts(countsOf(engine), firmWhatIfDelta(stored, hypothetical, zones, dates));
    expect(withDelta).toEqual(countsOf(expected));
  });

  it('a new firm: its delta is its own counts', () => {
    const uscc = '91110101MA01ABCD5M';
    const events = [registered({ establishedOn: '2024-01-01', site: IN_QL_START }), granted({ kind: 'HNTE', validFrom: '2024-01-01' })];
    const delta = firmWhatIfDelta([], events, zones, dates);
    expect(delta['2023-12-31']).toEqual({});
    expect(delta['2024-06-30']!['qualified_firms|zone:QL']).toBe(1);
    expect(delta['2024-06-30']!['qualified_firms|district']).toBe(1);
    const alone = new KpiEngine(zones);
    alone.setFirmEvents(uscc, events);
    expect(delta).toEqual(countsOf(alone));
  });

  it('counts intervals per day, end exclusive', () => {
    expect(
      intervalCounts(
        [
          { key: 'k', from: 10, to: 12 },
          { key: 'k', from: 11, to: Infinity },
        ],
        ['1970-01-11', '1970-01-12', '1970-01-13'],
      ),
    ).toEqual({
      '1970-01-11': { k: 1 },
      '1970-01-12': { k: 2 },
      '1970-01-13': { k: 1 },
    });
  });
});
