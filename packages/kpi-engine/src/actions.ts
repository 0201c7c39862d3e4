// Action lists (kpis.md "Action lists (v1)"): the named firms that move a zone-share target —
// qualified zone firms about to lapse, qualified district firms outside the zone (nearest first),
// and the zone's innovative SMEs one step from qualifying. Pure: a firm's resolved history, the zone
// registry and a day decide its entries, so instances holding different firms merge by concatenation.
import { DONGCHENG_DISTRICT_CODE, type CertificationKind, type FocusIndustry, type IsoDate } from '@siliconalley/contract';
import { distanceToBoundaryMeters, resolveSiteLocation, type WgsPoint, type Zone, type ZoneRegistry } from '@siliconalley/zones';
import { QUALIFYING_KINDS } from './catalogue';
import { dayNumber, isoDate } from './days';
import { certificateValidOn, type Certificate, type FirmHistory, type FirmState } from './history';

/** Days ahead a renewal is looked for unless asked otherwise (kpis.md: w = 180). */
export const DEFAULT_ACTION_WINDOW_DAYS = 180;
/** The certificate of the usual step before 专精特新. */
export const NEXT_TIER_KIND: CertificationKind = 'INNOVATIVE_SME';

/** What every entry says of its firm, as of the list's day. */
export interface ActionFirm {
  uscc: string;
  name: string;
  focusIndustry: FocusIndustry | null;
  /** Zone ids the firm is in on the day, ascending; empty when unlocated or in none. */
  zones: string[];
}

export interface ActionCertificate {
  kind: CertificationKind;
  certificateNo: string;
  validUntil: IsoDate;
}

export interface RenewalDue extends ActionFirm {
  /** The day after the latest validUntil among its qualifying certificates valid on the day. */
  lapsesOn: IsoDate;
  /** Those certificates, by kind then certificateNo. */
  certificates: ActionCertificate[];
}

export interface RelocationCandidate extends ActionFirm {
  /** To the nearest point of the zone's boundary; null when the firm is unlocated. */
  distanceMeters: number | null;
  /** Qualifying kinds held on the day, ascending. */
  kinds: CertificationKind[];
}

export interface NextTierCandidate extends ActionFirm {
  certificateNo: string;
  validUntil: IsoDate;
}

export interface ActionLists {
  renewalsDue: RenewalDue[];
  relocationCandidates: RelocationCandidate[];
  nextTier: NextTierCandidate[];
}

export interface ActionQuery {
  /** The target's zone (Z). */
  zoneId: string;
  asOf: IsoDate;
  /** Window w in days for renewals. */
  within: number;
}

export const ACTION_LIST_NAMES = ['renewalsDue', 'relocationCandidates', 'nextTier'] as const;
export type ActionListName = (typeof ACTION_LIST_NAMES)[number];

const QUALIFYING = new Set<CertificationKind>(QUALIFYING_KINDS);
const isQualifying = (kind: CertificationKind): boolean => QUALIFYING.has(kind);
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether a firm can ever appear on a list: it holds (or held) a qualifying or next-tier certificate.
 * An indicator keeps the histories of these firms only, so a list costs O(such firms), not O(firms).
 */
export function isActionCandidate(history: FirmHistory): boolean {
  return history.certificates.some((c) => isQualifying(c.kind) || c.kind === NEXT_TIER_KIND);
}

function stateOn(history: FirmHistory, day: number): FirmState | null {
  for (const state of history.states) if (state.from <= day && day < state.to) return state;
  return null;
}

/**
 * Where a located firm state puts the firm, by one zone registry: its WGS84 location (this is the
 * point), the zones there (ascending) and, for one zone at a time, the distance to that zone's
 * boundary — lists are asked for one target zone, so a single slot; asking for another zone
 * recomputes it. Remembered per state object: a `FirmState` never changes once `resolveFirmHistory`
 * built it, and a firm whose events change gets a new history with new states (the old ones,
 * unreferenced, leave the WeakMap). The point is kept as two fields, not an object: less memory.
 */
class StatePlace implements WgsPoint {
  /** The zone of the remembered distance; null while none is. */
  distanceZoneId: string | null = null;
  distanceMeters = 0;
  constructor(
    readonly lon: number,
    readonly lat: number,
    /** Shared by every state with the same zone set: never handed out, entries get a copy. */
    readonly zones: readonly string[],
  ) {}
}

const NO_ZONES: readonly string[] = [];

interface RegistryPlaces {
  /** Null for an unlocated state. */
  readonly byState: WeakMap<FirmState, StatePlace | null>;
  /** Each distinct zone set once (there are few), so the places of a million states share a handful of arrays. */
  readonly zoneSets: Map<string, readonly string[]>;
}

/** Per registry (the zones and building points decide a place), per state. */
const placesByRegistry = new WeakMap<ZoneRegistry, RegistryPlaces>();

function placesOf(registry: ZoneRegistry): RegistryPlaces {
  let places = placesByRegistry.get(registry);
  if (places === undefined) {
    places = { byState: new WeakMap(), zoneSets: new Map() };
    placesByRegistry.set(registry, places);
  }
  return places;
}

/** What every firm's entries depend on besides the firm: computed once per list, not once per firm. */
interface ActionDay {
  readonly day: number;
  readonly query: ActionQuery;
  readonly zone: Zone | undefined;
  readonly registry: ZoneRegistry;
  readonly places: RegistryPlaces;
}

const actionDay = (registry: ZoneRegistry, query: ActionQuery): ActionDay => ({
  day: dayNumber(query.asOf),
  query,
  zone: registry.zone(query.zoneId),
  registry,
  places: placesOf(registry),
});

/** The place of a state; null when it is unlocated. */
function placeOf(state: FirmState, on: ActionDay): StatePlace | null {
  const known = on.places.byState.get(state);
  if (known !== undefined) return known;
  const location = resolveSiteLocation(state.site, on.registry);
  let place: StatePlace | null = null;
  if (location !== null) {
    const zones = on.registry.zonesAt(location).sort(compareText);
    const key = JSON.stringify(zones);
    let shared = on.places.zoneSets.get(key);
    if (shared === undefined) on.places.zoneSets.set(key, (shared = zones));
    place = new StatePlace(location.lon, location.lat, shared);
  }
  on.places.byState.set(state, place);
  return place;
}

function distanceOf(place: StatePlace, zone: Zone): number {
  if (place.distanceZoneId !== zone.id) {
    place.distanceMeters = distanceToBoundaryMeters(place, zone.geometry);
    place.distanceZoneId = zone.id;
  }
  return place.distanceMeters;
}

/** One firm's entries on the lists (none, one, or — never — several). */
export function firmActions(
  uscc: string,
  history: FirmHistory,
  registry: ZoneRegistry,
  query: ActionQuery,
): Partial<{ [K in ActionListName]: ActionLists[K][number] }> {
  return firmActionsOn(uscc, history, actionDay(registry, query));
}

function firmActionsOn(uscc: string, history: FirmHistory, on: ActionDay): Partial<{ [K in ActionListName]: ActionLists[K][number] }> {
  const { day, query } = on;
  // The certificates valid on the day first: a firm holding neither kind (most held firms on most
  // days) is on no list, whatever its state.
  let qualifying = 0;
  let lastValid = Number.NEGATIVE_INFINITY;
  // Of several innovative-SME certificates: the latest validUntil, then the greatest certificateNo.
  let best: Certificate | null = null;
  for (const c of history.certificates) {
    if (!certificateValidOn(c, day)) continue;
    if (isQualifying(c.kind)) {
      qualifying++;
      if (c.validUntil > lastValid) lastValid = c.validUntil;
    } else if (
      c.kind === NEXT_TIER_KIND &&
      (best === null || c.validUntil > best.validUntil || (c.validUntil === best.validUntil && c.certificateNo > best.certificateNo))
    ) {
      best = c;
    }
  }
  if (qualifying === 0 && best === null) return {};
  const state = stateOn(history, day);
  if (state === null || state.districtCode !== DONGCHENG_DISTRICT_CODE) return {};

  const place = placeOf(state, on);
  const zones = place === null ? NO_ZONES : place.zones;
  const inZone = zones.includes(query.zoneId);
  const qualifyingOnDay = (c: Certificate): boolean => isQualifying(c.kind) && certificateValidOn(c, day);

  if (qualifying > 0) {
    if (!inZone) {
      const distanceMeters = place === null || on.zone === undefined ? null : distanceOf(place, on.zone);
      const kinds: CertificationKind[] = [];
      for (const c of history.certificates) if (qualifyingOnDay(c) && !kinds.includes(c.kind)) kinds.push(c.kind);
      kinds.sort(compareText);
      return {
        relocationCandidates: { uscc, name: state.name, focusIndustry: state.focusIndustry, zones: zones.slice(), distanceMeters, kinds },
      };
    }
    const lapsesOn = lastValid + 1;
    if (lapsesOn > day + query.within) return {};
    const certificates = history.certificates
      .filter(qualifyingOnDay)
      .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.certificateNo, b.certificateNo))
      .map((c) => ({ kind: c.kind, certificateNo: c.certificateNo, validUntil: isoDate(c.validUntil) }));
    return {
      renewalsDue: { uscc, name: state.name, focusIndustry: state.focusIndustry, zones: zones.slice(), lapsesOn: isoDate(lapsesOn), certificates },
    };
  }

  if (!inZone || best === null) return {};
  return {
    nextTier: {
      uscc,
      name: state.name,
      focusIndustry: state.focusIndustry,
      zones: zones.slice(),
      certificateNo: best.certificateNo,
      validUntil: isoDate(best.validUntil),
    },
  };
}

/**
 * The lists of these firms, each in its kpis.md order. Each firm state's location, zones and distance
 * to the zone are remembered (per registry), so asking again — another day, window or the same zone —
 * costs the certificate checks and the entries, not the geometry.
 */
export function actionListsOf(firms: Iterable<readonly [string, FirmHistory]>, registry: ZoneRegistry, query: ActionQuery): ActionLists {
  const lists: ActionLists = { renewalsDue: [], relocationCandidates: [], nextTier: [] };
  const on = actionDay(registry, query);
  for (const [uscc, history] of firms) {
    const entries = firmActionsOn(uscc, history, on);
    if (entries.renewalsDue) lists.renewalsDue.push(entries.renewalsDue);
    if (entries.relocationCandidates) lists.relocationCandidates.push(entries.relocationCandidates);
    if (entries.nextTier) lists.nextTier.push(entries.nextTier);
  }
  return sortActionLists(lists);
}

/** Sorts in place (and returns) each list in its kpis.md order; every order ends with uscc. */
export function sortActionLists(lists: ActionLists): ActionLists {
  lists.renewalsDue.sort((a, b) => compareText(a.lapsesOn, b.lapsesOn) || compareText(a.uscc, b.uscc));
  lists.relocationCandidates.sort((a, b) => {
    if (a.distanceMeters !== b.distanceMeters) {
      if (a.distanceMeters === null) return 1;
      if (b.distanceMeters === null) return -1;
      return a.distanceMeters - b.distanceMeters;
    }
    return compareText(a.uscc, b.uscc);
  });
  lists.nextTier.sort((a, b) => compareText(b.validUntil, a.validUntil) || compareText(a.uscc, b.uscc));
  return lists;
}

/** Lists of several holders (indicator instances with disjoint firms) as one. */
export function mergeActionLists(parts: readonly ActionLists[]): ActionLists {
  return sortActionLists({
    renewalsDue: parts.flatMap((p) => p.renewalsDue),
    relocationCandidates: parts.flatMap((p) => p.relocationCandidates),
    nextTier: parts.flatMap((p) => p.nextTier),
  });
}

/** How many entries each list has. */
export type ActionListLengths = { [K in ActionListName]: number };

/** The first entries of each list (in its order) and the lengths of the whole lists. */
export interface ActionListsHead extends ActionLists {
  lengths: ActionListLengths;
}

export const actionListLengths = (lists: ActionLists): ActionListLengths => ({
  renewalsDue: lists.renewalsDue.length,
  relocationCandidates: lists.relocationCandidates.length,
  nextTier: lists.nextTier.length,
});

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number (got ${limit})`);
}

/**
 * The first `limit` entries of each (sorted) list and the lengths of the whole lists. `lengths`
 * defaults to the lists' own; give it when `lists` are already heads of longer lists.
 */
export function headOfActionLists(lists: ActionLists, limit: number, lengths: ActionListLengths = actionListLengths(lists)): ActionListsHead {
  assertLimit(limit);
  return {
    renewalsDue: lists.renewalsDue.slice(0, limit),
    relocationCandidates: lists.relocationCandidates.slice(0, limit),
    nextTier: lists.nextTier.slice(0, limit),
    lengths: { ...lengths },
  };
}

/**
 * The heads of several holders (disjoint firms, each head its first `limit` or more entries) as
 * the head of the whole: every order is total (it ends with uscc), so the first `limit` of the
 * merged heads are the first `limit` of the merged lists; the lengths add up.
 */
export function mergeActionListHeads(parts: readonly ActionListsHead[], limit: number): ActionListsHead {
  assertLimit(limit);
  const lengths: ActionListLengths = { renewalsDue: 0, relocationCandidates: 0, nextTier: 0 };
  for (const p of parts) for (const name of ACTION_LIST_NAMES) lengths[name] += p.lengths[name];
  return headOfActionLists(mergeActionLists(parts), limit, lengths);
}
