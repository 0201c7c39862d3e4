// Action lists (kpis.md "Action lists (v1)"): the named firms that move a zone-share target —
// qualified zone firms about to lapse, qualified district firms outside the zone (nearest first),
// and the zone's innovative SMEs one step from qualifying. Pure: a firm's resolved history, the zone
// registry and a day decide its entries, so instances holding different firms merge by concatenation.
import { DONGCHENG_DISTRICT_CODE, type CertificationKind, type FocusIndustry, type IsoDate } from '@siliconalley/contract';
import { distanceToBoundaryMeters, resolveSiteLocation, type ZoneRegistry } from '@siliconalley/zones';
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

const isQualifying = (kind: CertificationKind): boolean => (QUALIFYING_KINDS as readonly string[]).includes(kind);
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

/** One firm's entries on the lists (none, one, or — never — several). */
export function firmActions(
  uscc: string,
  history: FirmHistory,
  registry: ZoneRegistry,
  query: ActionQuery,
): Partial<{ [K in ActionListName]: ActionLists[K][number] }> {
  const day = dayNumber(query.asOf);
  const state = stateOn(history, day);
  if (state === null || state.districtCode !== DONGCHENG_DISTRICT_CODE) return {};
  const location = resolveSiteLocation(state.site, registry);
  const zones = location === null ? [] : registry.zonesAt(location).sort(compareText);
  const inZone = zones.includes(query.zoneId);
  const firm: ActionFirm = { uscc, name: state.name, focusIndustry: state.focusIndustry, zones };
  const valid = history.certificates.filter((c) => certificateValidOn(c, day));
  const qualifying = valid.filter((c) => isQualifying(c.kind));

  if (qualifying.length > 0) {
    if (!inZone) {
      const zone = registry.zone(query.zoneId);
      const distanceMeters = location === null || zone === undefined ? null : distanceToBoundaryMeters(location, zone.geometry);
      const kinds = [...new Set(qualifying.map((c) => c.kind))].sort(compareText);
      return { relocationCandidates: { ...firm, distanceMeters, kinds } };
    }
    const lastValid = Math.max(...qualifying.map((c) => c.validUntil));
    const lapsesOn = lastValid + 1;
    if (lapsesOn > day + query.within) return {};
    const certificates = [...qualifying]
      .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.certificateNo, b.certificateNo))
      .map((c) => ({ kind: c.kind, certificateNo: c.certificateNo, validUntil: isoDate(c.validUntil) }));
    return { renewalsDue: { ...firm, lapsesOn: isoDate(lapsesOn), certificates } };
  }

  if (!inZone) return {};
  const innovative = valid.filter((c) => c.kind === NEXT_TIER_KIND);
  if (innovative.length === 0) return {};
  // Of several: the latest validUntil, then the greatest certificateNo.
  const best = innovative.reduce((a: Certificate, b: Certificate) =>
    b.validUntil > a.validUntil || (b.validUntil === a.validUntil && b.certificateNo > a.certificateNo) ? b : a,
  );
  return { nextTier: { ...firm, certificateNo: best.certificateNo, validUntil: isoDate(best.validUntil) } };
}

/** The lists of these firms, each in its kpis.md order. */
export function actionListsOf(firms: Iterable<readonly [string, FirmHistory]>, registry: ZoneRegistry, query: ActionQuery): ActionLists {
  const lists: ActionLists = { renewalsDue: [], relocationCandidates: [], nextTier: [] };
  for (const [uscc, history] of firms) {
    const entries = firmActions(uscc, history, registry, query);
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
