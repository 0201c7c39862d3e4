// Action lists remember each firm state's place (location, zones, distance to the zone) per registry:
// asked again, they must be exactly what computing everything afresh gives, and a replaced history
// must be computed afresh.
import { DONGCHENG_DISTRICT_CODE, type FirmEvent } from '@siliconalley/contract';
import { acceptedFixtureEvents, syntheticFirmEvents, syntheticUscc } from '@siliconalley/testkit';
import { defaultZoneRegistry, distanceToBoundaryMeters, loadZoneRegistry, resolveSiteLocation, ZoneRegistry, type ZonePolygon } from '@siliconalley/zones';
import {
  actionListsOf,
  type ActionListName,
  type ActionLists,
  type ActionQuery,
  certificateValidOn,
  dayNumber,
  firmActions,
  type FirmHistory,
  groupEventsByFirm,
  isActionCandidate,
  isoDate,
  NEXT_TIER_KIND,
  QUALIFYING_KINDS,
  resolveFirmHistory,
  sortActionLists,
} from '../../src';
import { granted, IN_QL_EXT, IN_QL_START, NO_ZONE, registered, site, UNLOCATED, updated } from '../builders';

const base = defaultZoneRegistry();
/** A registry instance nothing has been remembered for. */
const freshRegistry = (): ZoneRegistry => new ZoneRegistry(base.name, base.zones, base.buildings);

// The uncached computation, as firmActions was before places were remembered: every call locates the
// firm, finds its zones and measures its distance. The oracle of the tests below.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isQualifying = (kind: string): boolean => (QUALIFYING_KINDS as readonly string[]).includes(kind);
function uncachedFirmActions(
  uscc: string,
  history: FirmHistory,
  registry: ZoneRegistry,
  query: ActionQuery,
): Partial<{ [K in ActionListName]: ActionLists[K][number] }> {
  const day = dayNumber(query.asOf);
  const state = history.states.find((s) => s.from <= day && day < s.to) ?? null;
  if (state === null || state.districtCode !== DONGCHENG_DISTRICT_CODE) return {};
  const location = resolveSiteLocation(state.site, registry);
  const zones = location === null ? [] : registry.zonesAt(location).sort(compareText);
  const inZone = zones.includes(query.zoneId);
  const firm = { uscc, name: state.name, focusIndustry: state.focusIndustry, zones };
  const valid = history.certificates.filter((c) => certificateValidOn(c, day));
  const qualifying = valid.filter((c) => isQualifying(c.kind));
  if (qualifying.length > 0) {
    if (!inZone) {
      const zone = registry.zone(query.zoneId);
      const distanceMeters = location === null || zone === undefined ? null : distanceToBoundaryMeters(location, zone.geometry);
      const kinds = [...new Set(qualifying.map((c) => c.kind))].sort(compareText);
      return { relocationCandidates: { ...firm, distanceMeters, kinds } };
    }
    const lapsesOn = Math.max(...qualifying.map((c) => c.validUntil)) + 1;
    if (lapsesOn > day + query.within) return {};
    const certificates = [...qualifying]
      .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.certificateNo, b.certificateNo))
      .map((c) => ({ kind: c.kind, certificateNo: c.certificateNo, validUntil: isoDate(c.validUntil) }));
    return { renewalsDue: { ...firm, lapsesOn: isoDate(lapsesOn), certificates } };
  }
  if (!inZone) return {};
  const innovative = valid.filter((c) => c.kind === NEXT_TIER_KIND);
  if (innovative.length === 0) return {};
  const best = innovative.reduce((a, b) => (b.validUntil > a.validUntil || (b.validUntil === a.validUntil && b.certificateNo > a.certificateNo) ? b : a));
  return { nextTier: { ...firm, certificateNo: best.certificateNo, validUntil: isoDate(best.validUntil) } };
}

function uncachedActionLists(firms: readonly (readonly [string, FirmHistory])[], registry: ZoneRegistry, query: ActionQuery): ActionLists {
  const lists: ActionLists = { renewalsDue: [], relocationCandidates: [], nextTier: [] };
  for (const [uscc, history] of firms) {
    const entries = uncachedFirmActions(uscc, history, registry, query);
    if (entries.renewalsDue) lists.renewalsDue.push(entries.renewalsDue);
    if (entries.relocationCandidates) lists.relocationCandidates.push(entries.relocationCandidates);
    if (entries.nextTier) lists.nextTier.push(entries.nextTier);
  }
  return sortActionLists(lists);
}

const histories = (byFirm: Map<string, FirmEvent[]>): [string, FirmHistory][] =>
  [...byFirm].map(([uscc, events]): [string, FirmHistory] => [uscc, resolveFirmHistory(events)]).filter(([, h]) => isActionCandidate(h));

/** The small fixture's candidates and synthetic ones (GCJ-02/BD-09 points, buildings, moves, revocations). */
function candidates(): [string, FirmHistory][] {
  const synthetic = new Map<string, FirmEvent[]>();
  for (let n = 0; n < 1500; n++) synthetic.set(syntheticUscc(n), syntheticFirmEvents(n));
  return [...histories(groupEventsByFirm(acceptedFixtureEvents('small'))), ...histories(synthetic)];
}

describe('remembered places: the lists equal the uncached computation', () => {
  const firms = candidates();
  const queries: ActionQuery[] = [];
  for (const zoneId of ['QL', 'QL_START', 'QL', 'AXIS', 'NO_SUCH_ZONE', 'QL']) {
    for (const [i, asOf] of ['2018-06-30', '2024-09-30', '2026-06-30', '2021-12-31', '2024-09-30'].entries()) {
      queries.push({ zoneId, asOf, within: [180, 0, 90, 365, 180][i]! });
    }
  }

  it('over repeated and interleaved days, windows and zones, byte for byte', () => {
    const registry = freshRegistry();
    for (const query of [...queries, ...queries]) {
      const got = JSON.stringify(actionListsOf(firms, registry, query));
      expect([query, got]).toEqual([query, JSON.stringify(uncachedActionLists(firms, freshRegistry(), query))]);
    }
    // The lists are not all empty: the comparison means something.
    const lists = actionListsOf(firms, registry, { zoneId: 'QL', asOf: '2024-09-30', within: 180 });
    expect(lists.renewalsDue.length * lists.relocationCandidates.length * lists.nextTier.length).toBeGreaterThan(0);
  });

  it('firm by firm through firmActions too', () => {
    const registry = freshRegistry();
    for (const query of queries.slice(0, 10)) {
      for (const [uscc, history] of firms) {
        expect(firmActions(uscc, history, registry, query)).toEqual(uncachedFirmActions(uscc, history, base, query));
      }
    }
  });

  it('an entry is the caller’s: changing its zones changes nothing remembered', () => {
    const registry = freshRegistry();
    const query = { zoneId: 'QL', asOf: '2024-09-30', within: 180 };
    const first = actionListsOf(firms, registry, query);
    for (const entry of [...first.renewalsDue, ...first.relocationCandidates, ...first.nextTier]) entry.zones.push('MUTATED');
    expect(actionListsOf(firms, registry, query)).toEqual(uncachedActionLists(firms, registry, query));
  });

  it('places are per registry: another registry with other zones gives its own lists', () => {
    // One zone QL covering all of Dongcheng and more: every located firm is in it.
    const wide = loadZoneRegistry({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 'QL' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [116.3, 39.8],
                [116.6, 39.8],
                [116.6, 40.1],
                [116.3, 40.1],
                [116.3, 39.8],
              ],
            ],
          },
        },
      ],
    });
    const query = { zoneId: 'QL', asOf: '2024-09-30', within: 180 };
    const registry = freshRegistry();
    const before = actionListsOf(firms, registry, query);
    const other = actionListsOf(firms, wide, query);
    expect(other).toEqual(uncachedActionLists(firms, wide, query));
    expect(other).not.toEqual(before);
    expect(actionListsOf(firms, registry, query)).toEqual(before);
  });
});

describe('remembered places: computed once per state', () => {
  /** The default zones, counting `zonesAt` calls and every read of a zone's coordinates (zonesAt and distances). */
  function countingRegistry() {
    const counts = { geometryReads: 0 };
    const counting = (geometry: ZonePolygon): ZonePolygon => {
      const { coordinates } = geometry;
      return Object.defineProperty({ type: geometry.type }, 'coordinates', {
        enumerable: true,
        get: () => {
          counts.geometryReads++;
          return coordinates;
        },
      }) as ZonePolygon;
    };
    const registry = new ZoneRegistry(
      base.name,
      base.zones.map((zone) => ({ ...zone, geometry: counting(zone.geometry) })),
      base.buildings,
    );
    const zonesAt = jest.spyOn(registry, 'zonesAt');
    const reads = () => {
      const n = counts.geometryReads;
      counts.geometryReads = 0;
      return n;
    };
    reads();
    return { registry, zonesAt, reads };
  }

  const uscc = (n: number) => syntheticUscc(900_000 + n);
  // One state each, all in the district and located: qualified outside QL, qualified in QL (a
  // GCJ-02 point), next tier in QL_START, qualified at a building outside QL, and one unlocated.
  const eventsOf = (): [string, FirmEvent[]][] =>
    [
      (m: { uscc: string }) => [registered({ establishedOn: '2020-01-01', site: NO_ZONE }, m), granted({ kind: 'HNTE', validFrom: '2023-01-01' }, m)],
      (m: { uscc: string }) => [
        registered({ establishedOn: '2020-01-01', site: site(116.4239, 39.9484, 'GCJ02') }, m),
        granted({ kind: 'SRDI_SME', validFrom: '2022-01-01' }, m),
      ],
      (m: { uscc: string }) => [
        registered({ establishedOn: '2020-01-01', site: IN_QL_START }, m),
        granted({ kind: 'INNOVATIVE_SME', validFrom: '2023-06-01' }, m),
      ],
      (m: { uscc: string }) => [
        registered({ establishedOn: '2020-01-01', site: site(null, 0, 'WGS84', 'B_HXY') }, m),
        granted({ kind: 'HNTE', validFrom: '2023-03-01' }, m),
      ],
      (m: { uscc: string }) => [registered({ establishedOn: '2020-01-01', site: UNLOCATED }, m), granted({ kind: 'SRDI_GIANT', validFrom: '2023-03-01' }, m)],
    ].map((events, n): [string, FirmEvent[]] => [uscc(n), events({ uscc: uscc(n) })]);
  const resolved = (): [string, FirmHistory][] => eventsOf().map(([id, events]) => [id, resolveFirmHistory(events)]);

  it('asked again (same or another day or window) the registry is not asked again; a replaced history is', () => {
    const { registry, zonesAt, reads } = countingRegistry();
    const firms = resolved();
    const query = { zoneId: 'QL', asOf: '2024-06-30', within: 365 };

    const first = actionListsOf(firms, registry, query);
    expect(first).toEqual(uncachedActionLists(firms, base, query));
    expect(first.relocationCandidates.map((e) => e.uscc).sort()).toEqual([uscc(0), uscc(3), uscc(4)].sort());
    expect(first.renewalsDue.map((e) => e.uscc)).toEqual([uscc(1)]);
    expect(first.nextTier.map((e) => e.uscc)).toEqual([uscc(2)]);
    expect(zonesAt).toHaveBeenCalledTimes(4); // the unlocated firm has no point to look up
    expect(reads()).toBeGreaterThan(0);

    expect(actionListsOf(firms, registry, query)).toEqual(first);
    for (const other of [
      { ...query, asOf: '2025-03-31' },
      { ...query, within: 30 },
    ]) {
      expect(actionListsOf(firms, registry, other)).toEqual(uncachedActionLists(firms, base, other));
    }
    expect(zonesAt).toHaveBeenCalledTimes(4);
    expect(reads()).toBe(0); // neither zones nor distances were computed again

    // Firm 0's events change (here: the same events again): a new history, new states — located afresh.
    firms[0] = [uscc(0), resolveFirmHistory(eventsOf()[0]![1])];
    expect(actionListsOf(firms, registry, query)).toEqual(first);
    expect(zonesAt).toHaveBeenCalledTimes(5);
    // A move is a new state: located on the days after it, the old state still on the days before.
    const [id, events] = eventsOf()[0]!;
    firms[0] = [id, resolveFirmHistory([...events, updated('2024-08-01', { site: IN_QL_EXT }, { uscc: id })])];
    for (const asOf of ['2024-06-30', '2024-09-30', '2024-06-30', '2024-09-30']) {
      const moved = { ...query, asOf };
      expect(actionListsOf(firms, registry, moved)).toEqual(uncachedActionLists(firms, base, moved));
    }
    expect(zonesAt).toHaveBeenCalledTimes(7);
  });

  it('another zone: distances measured again, zones not looked up again; the same zone again: nothing', () => {
    const { registry, zonesAt, reads } = countingRegistry();
    const firms = resolved();
    const query = { zoneId: 'QL', asOf: '2024-06-30', within: 365 };
    actionListsOf(firms, registry, query);
    reads();
    const other = { ...query, zoneId: 'QL_START' };
    expect(actionListsOf(firms, registry, other)).toEqual(uncachedActionLists(firms, base, other));
    expect(zonesAt).toHaveBeenCalledTimes(4);
    expect(reads()).toBeGreaterThan(0);
    expect(actionListsOf(firms, registry, other)).toEqual(uncachedActionLists(firms, base, other));
    expect(reads()).toBe(0);
  });
});
