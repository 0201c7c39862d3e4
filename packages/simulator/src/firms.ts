// One firm's provider history: its registration (sometimes corrected), moves and other changes,
// maybe a deregistration, certificates from the yearly batches (renewals, corrections,
// revocations, sometimes before the grant or before the firm is registered), as the providers send
// them: mostly soon after the fact, sometimes years late, backfilled at the start of the feed, in
// either content mode, now and then twice, now and then broken.
import {
  addDays,
  addYears,
  DONGCHENG_DISTRICT_CODE,
  FOCUS_INDUSTRIES,
  REASON_CODES,
  usccCheckCharacter,
  USCC_ALPHABET,
  type CertificationKind,
  type FocusIndustry,
  type ReasonCode,
} from '@siliconalley/contract';
import { DAY_MS, dayOf, iso, timestamp, yearOf, yearStart } from './calendar';
import { Dice, mix } from './dice';
import { drawSite, OTHER_DISTRICT_CODES, type SimSite } from './geography';
import { encode, encodeBroken, encodeDuplicate, reasonsFor, type ContentMode, type SimEvent, type SimulatedRecord } from './records';

/** A record and when it arrives (ms), in the order it was made (ties keep it). */
export interface Draft {
  at: number;
  seq: number;
  record: SimulatedRecord;
}

/** How the simulation's providers behave: shares of records, not counts. */
export const RATES = {
  binaryMode: 0.3,
  duplicate: 0.02,
  broken: 0.012,
  /** Of broken records: sent again, fixed, with the same id. */
  brokenThenFixed: 0.4,
  /** Of broken records: a second, later rule broken too. */
  twoDefects: 0.15,
  late: 0.04,
  /** Arrives after records produced later than it. */
  outOfOrder: 0.03,
  chinaOffsetTime: 0.3,
} as const;

export interface SimulationWindow {
  seed: number;
  fromDay: number;
  toDay: number;
}

/** The part of the simulation every firm shares: one calendar of certification batches. */
export class SharedCalendar {
  private readonly batchDays = new Map<string, number>();

  constructor(readonly window: SimulationWindow) {}

  /** The validFrom day of batch `b` (1: spring, 2: autumn) of `kind` in `year`: one day for all firms. */
  batchDay(kind: CertificationKind, year: number, batch: 1 | 2): number {
    const key = `${kind}/${year}/${batch}`;
    let day = this.batchDays.get(key);
    if (day === undefined) {
      const dice = new Dice(mix(this.window.seed ^ 0x5bd1e995, year * 16 + batch * 4 + KIND_INFO[kind].ordinal));
      day = yearStart(year) + (batch === 1 ? dice.between(60, 180) : dice.between(240, 345));
      this.batchDays.set(key, day);
    }
    return day;
  }
}

interface KindInfo {
  ordinal: number;
  source: string;
  issuer: string;
  level: 'national' | 'municipal' | 'district';
  prefix: string;
  weight: number;
}
const STC = { source: 'urn:dongcheng:stc', issuer: '北京市科学技术委员会' };
const EITB = { source: 'urn:dongcheng:eitb', issuer: '北京市经济和信息化局' };
const DISTRICT = { source: 'urn:dongcheng:kxj', issuer: '东城区科学技术和信息化局' };
const KIND_INFO: Record<CertificationKind, KindInfo> = {
  HNTE: { ordinal: 0, ...STC, level: 'national', prefix: 'GR', weight: 40 },
  SRDI_SME: { ordinal: 1, ...EITB, level: 'municipal', prefix: 'SR', weight: 20 },
  SRDI_GIANT: { ordinal: 2, ...EITB, level: 'national', prefix: 'XJ', weight: 6 },
  INNOVATIVE_SME: { ordinal: 3, ...EITB, level: 'municipal', prefix: 'IN', weight: 16 },
  SME_SERVICE_PLATFORM: { ordinal: 4, ...EITB, level: 'municipal', prefix: 'PT', weight: 5 },
  SMALL_MICRO_DEMO_BASE: { ordinal: 5, ...EITB, level: 'municipal', prefix: 'JD', weight: 4 },
  SA_PARK: { ordinal: 6, ...DISTRICT, level: 'district', prefix: 'YQ', weight: 4 },
  SA_STATION: { ordinal: 7, ...DISTRICT, level: 'district', prefix: 'YZ', weight: 5 },
};
const KIND_CHOICES = (Object.entries(KIND_INFO) as [CertificationKind, KindInfo][]).map(([kind, info]) => [kind, info.weight] as const);

const INDUSTRY_CODES: Record<FocusIndustry, readonly string[]> = {
  AI: ['I6513', 'I6520'],
  SMART_HEALTH: ['Q8492', 'I6513'],
  DIGITAL_ENTERTAINMENT: ['R8710', 'I6579'],
  DIGITAL_ENERGY: ['D4420', 'M7520'],
  SMART_CITY: ['I6531', 'E4851'],
  TECH_SERVICES: ['M7520', 'M7530'],
  METAVERSE: ['I6579'],
  CARBON_NEUTRAL: ['M7484'],
};
const INDUSTRY_WORDS: Record<FocusIndustry, string> = {
  AI: '智算',
  SMART_HEALTH: '医智',
  DIGITAL_ENTERTAINMENT: '数娱',
  DIGITAL_ENERGY: '数能',
  SMART_CITY: '城智',
  TECH_SERVICES: '科服',
  METAVERSE: '元境',
  CARBON_NEUTRAL: '碳研',
};
const BRANDS = ['青龙', '歌华', '雍和', '安和', '京投', '光年', '云图', '知行', '星河', '恒信', '华彩', '睿思', '众创', '东方', '数字', '明德'] as const;
const REVOCATION_REASONS = ['复核不合格', '企业申请撤销', '弄虚作假', '发生重大安全事故'] as const;

const USCC_SERIAL_SPACE = 31 ** 7;
/** Coprime with 31: firm number → serial is a bijection, so USCCs never collide. */
const USCC_SERIAL_MULTIPLIER = 16807 * 48271;

/** The firm's USCC: `91` + division where it first registered + `MA` + 7 serial characters + check. */
export function usccOf(division: string, n: number, seed: number): string {
  let serial = (n * USCC_SERIAL_MULTIPLIER + mix(seed, 0x1234)) % USCC_SERIAL_SPACE;
  let chars = '';
  for (let i = 0; i < 7; i++, serial = Math.floor(serial / 31)) chars = USCC_ALPHABET[serial % 31]! + chars;
  const first17 = `91${division}MA${chars}`;
  return first17 + usccCheckCharacter(first17)!;
}

const DIVISIONS = [
  [DONGCHENG_DISTRICT_CODE, 80],
  ['110105', 8],
  ['110102', 7],
  ['110108', 5],
] as const;
const tagOf = (n: number) => n.toString(36).padStart(5, '0');

/** Appends firm `n`'s records (arrival-ordered later, with the rest of its cohort) to `out`. */
export function firmHistory(n: number, calendar: SharedCalendar, out: Draft[]): void {
  const { seed, fromDay, toDay } = calendar.window;
  const dice = new Dice(mix(seed, n));
  const division = dice.weighted(DIVISIONS);
  const uscc = usccOf(division, n, seed);
  const tag = tagOf(n);
  let serial = 0;

  const push = (at: number, record: SimulatedRecord) => out.push({ at, seq: out.length, record });
  const clampDay = (day: number) => Math.min(toDay, day);
  /** When the provider sends a fact effective on `day`: soon after, sometimes late, backfilled if before the feed. */
  const sentDay = (day: number, usualDelay: number) => {
    let sent = day + dice.between(0, usualDelay);
    if (dice.chance(RATES.late)) sent = day + dice.between(180, 1500);
    if (sent < fromDay) sent = fromDay + dice.between(0, 120);
    return clampDay(sent);
  };
  const instant = (day: number) => day * DAY_MS + dice.between(0, 86_399) * 1000;
  const timeText = (ms: number) => timestamp(ms, dice.chance(RATES.chinaOffsetTime));

  /** Sends a valid event at `ms`, with what can happen around it: a broken copy, a re-send. */
  const send = (event: SimEvent, ms: number) => {
    const mode: ContentMode = dice.chance(RATES.binaryMode) ? 'binary' : 'structured';
    const at = dice.chance(RATES.outOfOrder) ? ms + dice.between(1, 60) * DAY_MS : ms;
    if (dice.chance(RATES.broken)) sendBroken(dice, event, mode, at, push, `${event.id}-x`);
    push(at, encode(event, mode));
    if (dice.chance(RATES.duplicate)) {
      const again = at + dice.between(60, 90 * 86_400) * 1000;
      push(again, encodeDuplicate(dice, event, mode, timeText(again)));
    }
  };
  const nextId = (prefix: string) => `${prefix}-${tag}-${serial++}`;

  // Registration.
  const focus: FocusIndustry | null = dice.chance(0.3) ? null : dice.pick(FOCUS_INDUSTRIES);
  const industryCode = focus === null ? dice.pick(['L7212', 'F5199', 'M7350', null]) : dice.pick(INDUSTRY_CODES[focus]);
  const nameOf = () => `北京${dice.pick(BRANDS)}${dice.pick(BRANDS)}${focus === null ? '' : INDUSTRY_WORDS[focus]}科技有限公司`;
  let name = nameOf();
  const established = dice.chance(0.35) ? dice.between(fromDay - 20 * 365, fromDay - 1) : dice.between(fromDay, toDay);
  let district =
    division === DONGCHENG_DISTRICT_CODE
      ? dice.chance(0.95)
        ? DONGCHENG_DISTRICT_CODE
        : dice.pick(OTHER_DISTRICT_CODES)
      : dice.chance(0.6)
        ? division
        : DONGCHENG_DISTRICT_CODE;
  let site: SimSite = drawSite(dice, district);
  const registered = (establishedOn: number, firmName: string, firmSite: SimSite): Record<string, unknown> => ({
    uscc,
    name: firmName,
    establishedOn: iso(establishedOn),
    districtCode: district,
    site: firmSite,
    industryCode,
    focusIndustry: focus,
  });
  const registrationMs = instant(sentDay(established, 20));
  send(
    {
      id: nextId('samr'),
      source: 'urn:dongcheng:samr',
      type: 'enterprise.registered',
      time: timeText(registrationMs),
      subject: uscc,
      data: registered(established, name, site),
    },
    registrationMs,
  );

  // A correction: a second registration with a new id and a later time (it becomes the base record).
  const registrationDay = Math.floor(registrationMs / DAY_MS);
  if (dice.chance(0.07) && registrationDay + 5 <= toDay) {
    const correctedOn = dice.chance(0.5) ? established : clampDay(established + dice.between(-60, 60));
    const ms = instant(clampDay(registrationDay + dice.between(5, 200)));
    const fixedName = dice.chance(0.5) ? nameOf() : name;
    send(
      {
        id: nextId('samr'),
        source: 'urn:dongcheng:samr',
        type: 'enterprise.registered',
        time: timeText(ms),
        subject: uscc,
        data: registered(correctedOn, fixedName, site),
      },
      ms,
    );
    name = fixedName;
  }

  // Deregistration first (later changes stop there), then changes in effective-date order.
  const deregisteredOn = dice.chance(0.09) && established + 365 <= toDay ? dice.between(established + 365, toDay) : null;
  const lastChange = deregisteredOn ?? toDay;
  const changeCount = dice.weighted([
    [0, 40],
    [1, 30],
    [2, 18],
    [3, 8],
    [4, 4],
  ] as const);
  const changeDays: number[] = [];
  for (let i = 0; i < changeCount && established + 30 <= lastChange; i++) {
    // A few are effective before the firm existed (a data-entry slip): accepted, no effect.
    changeDays.push(dice.chance(0.03) ? established - dice.between(1, 200) : dice.between(established + 30, lastChange));
  }
  changeDays.sort((a, b) => a - b);
  for (const on of changeDays) {
    const what = dice.weighted([
      ['move', 55],
      ['rename', 15],
      ['industry', 15],
      ['moveAndRename', 8],
      ['unclassify', 7],
    ] as const);
    const changes: Record<string, unknown> = {};
    if (what === 'move' || what === 'moveAndRename') {
      // Moving into or out of Dongcheng is a districtCode change.
      const leaves = district === DONGCHENG_DISTRICT_CODE ? dice.chance(0.08) : dice.chance(0.4);
      if (leaves) {
        district = district === DONGCHENG_DISTRICT_CODE ? dice.pick(OTHER_DISTRICT_CODES) : DONGCHENG_DISTRICT_CODE;
        changes.districtCode = district;
      }
      site = drawSite(dice, district);
      changes.site = site;
    }
    if (what === 'rename' || what === 'moveAndRename') changes.name = name = nameOf();
    if (what === 'industry') {
      const next = dice.pick(FOCUS_INDUSTRIES);
      changes.industryCode = dice.pick(INDUSTRY_CODES[next]);
      changes.focusIndustry = next;
    }
    if (what === 'unclassify') changes.focusIndustry = null;
    const ms = instant(sentDay(on, 30));
    send(
      {
        id: nextId('samr'),
        source: 'urn:dongcheng:samr',
        type: 'enterprise.updated',
        time: timeText(ms),
        subject: uscc,
        data: { uscc, effectiveOn: iso(on), changes },
      },
      ms,
    );
  }
  if (deregisteredOn !== null) {
    const ms = instant(sentDay(deregisteredOn, 30));
    const reason = dice.weighted([
      ['cancelled', 70],
      ['revoked', 12],
      ['merged', 12],
      ['other', 6],
    ] as const);
    send(
      {
        id: nextId('samr'),
        source: 'urn:dongcheng:samr',
        type: 'enterprise.deregistered',
        time: timeText(ms),
        subject: uscc,
        data: { uscc, effectiveOn: iso(deregisteredOn), reason },
      },
      ms,
    );
  }

  // Certificates: focus-industry firms are more often certified.
  if (!dice.chance(focus === null ? 0.15 : 0.38)) return;
  const kinds = new Set<CertificationKind>([dice.weighted(KIND_CHOICES)]);
  if (dice.chance(0.25)) kinds.add(dice.weighted(KIND_CHOICES));
  const lastYear = yearOf(toDay);
  for (const kind of kinds) {
    const info = KIND_INFO[kind];
    let year = Math.max(yearOf(established), yearOf(fromDay) - 6) + dice.between(0, 4);
    while (year <= lastYear) {
      const batch = dice.chance(0.5) ? 1 : 2;
      const validFrom = calendar.batchDay(kind, year, batch);
      if (validFrom < established || (deregisteredOn !== null && validFrom >= deregisteredOn)) {
        year += 1;
        if (deregisteredOn !== null && yearStart(year) >= deregisteredOn) break;
        continue;
      }
      if (validFrom > toDay) break;
      const validFromIso = iso(validFrom);
      const defaultUntil = addDays(addYears(validFromIso, 3), -1);
      const certificateNo = `${info.prefix}${validFromIso.slice(0, 4)}${validFromIso.slice(5, 7)}${String(dice.between(0, 99_999)).padStart(5, '0')}`;
      const grant = {
        uscc,
        kind,
        level: dice.chance(0.05) ? null : info.level,
        certificateNo,
        validFrom: validFromIso,
        validUntil: dice.chance(0.7) ? null : defaultUntil,
        issuer: info.issuer,
        batch: `${year}-${batch}`,
      };
      let grantMs = instant(sentDay(validFrom, 40));
      const lastValid = Math.min(dayOf(defaultUntil), toDay);
      const revokedOn = dice.chance(0.06) && validFrom + 30 <= lastValid ? dice.between(validFrom + 30, lastValid) : null;
      const prefix = info.prefix.toLowerCase() === 'gr' ? 'stc' : info.source === EITB.source ? 'eitb' : 'kxj';
      if (revokedOn !== null) {
        const ms = instant(sentDay(revokedOn, 20));
        // Sometimes the grant reaches us only after its revocation.
        if (dice.chance(0.3)) grantMs = Math.max(grantMs, instant(clampDay(Math.floor(ms / DAY_MS) + dice.between(1, 60))));
        const data: Record<string, unknown> = { uscc, kind, certificateNo, effectiveOn: iso(revokedOn) };
        if (dice.chance(0.8)) data.reason = dice.pick(REVOCATION_REASONS);
        send({ id: nextId(prefix), source: info.source, type: 'certification.revoked', time: timeText(ms), subject: uscc, data }, ms);
      }
      send({ id: nextId(prefix), source: info.source, type: 'certification.granted', time: timeText(grantMs), subject: uscc, data: grant }, grantMs);
      const grantDay = Math.floor(grantMs / DAY_MS);
      if (dice.chance(0.03) && grantDay + 5 <= toDay) {
        // The same certificate again with a new id: a correction (the latest time wins).
        const ms = instant(clampDay(grantDay + dice.between(5, 90)));
        const corrected = { ...grant, level: info.level, validUntil: defaultUntil };
        send({ id: nextId(prefix), source: info.source, type: 'certification.granted', time: timeText(ms), subject: uscc, data: corrected }, ms);
      }
      if (revokedOn !== null || !dice.chance(0.55)) break;
      year += 3; // renewal: a new certificate number in a batch three years on
    }
  }
}

/**
 * A broken record of `event`: either sent first and fixed later under the same id (the fixed one
 * follows at `at`), or a stray record with its own id. The intended reason is the first broken rule.
 */
export function sendBroken(
  dice: Dice,
  event: SimEvent,
  mode: ContentMode,
  at: number,
  push: (at: number, record: SimulatedRecord) => void,
  strayId: string,
): void {
  const reasons = reasonsFor(event);
  const reason = dice.weighted(reasons.map((r) => [r, r === 'too_large' ? 0.3 : 1] as const));
  // A second defect only among the data checks that come after the first (the first still decides).
  const later = reasons.filter((r) => DATA_DEFECTS.includes(r) && REASON_CODES.indexOf(r) > REASON_CODES.indexOf(reason));
  const alsoBreak = later.length > 0 && dice.chance(RATES.twoDefects) ? dice.pick(later) : null;
  if (dice.chance(RATES.brokenThenFixed)) {
    push(at - dice.between(1, 30 * 86_400) * 1000, encodeBroken(dice, event, mode, reason, alsoBreak));
  } else {
    push(at + dice.between(0, 10 * 86_400) * 1000, encodeBroken(dice, { ...event, id: strayId }, mode, reason, alsoBreak));
  }
}

const DATA_DEFECTS: readonly ReasonCode[] = [
  'schema_invalid',
  'invalid_uscc',
  'subject_mismatch',
  'future_dated',
  'invalid_location',
  'unauthorized_department',
];
