// From a simulated provider event to the Kafka record a provider publishes (both content modes of
// the CloudEvents Kafka binding), and the ways real feeds break the contract. Each break is built
// so that the contract's first failing check is the intended reason (events.md "Rejections").
import {
  fullType,
  MAX_EVENT_BYTES,
  topicOfType,
  TYPE_PREFIX,
  USCC_ALPHABET,
  usccCheckCharacter,
  type ReasonCode,
  type ShortType,
} from '@siliconalley/contract';
import { departments, isDepartmentOnTask } from '@siliconalley/plan';
import type { Dice } from './dice';

export type Disposition = 'accepted' | 'duplicate' | 'rejected';

/** What `simulate` yields: a Kafka record (fixture shape) and what ingestion will decide about it. */
export interface SimulatedRecord {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
  intended: Disposition;
  reason: string | null;
}

/** A contract event before encoding; `data` keeps its key order (output is byte-reproducible). */
export interface SimEvent {
  id: string;
  source: string;
  type: ShortType;
  time: string;
  subject: string;
  data: Record<string, unknown>;
}

export type ContentMode = 'structured' | 'binary';

/** The CloudEvent as it goes on the wire; faults edit it before it is serialised. */
interface WireEvent {
  topic: string;
  envelope: Record<string, unknown>;
  mode: ContentMode;
  /** Applied to the serialised value last (truncation, padding). */
  finish?: (value: string) => string;
}

/** The CloudEvent of a simulated event, attribute by attribute (sdk.ts builds the SDK's from it). */
export function envelopeOf(event: SimEvent) {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: fullType(event.type),
    time: event.time,
    subject: event.subject,
    datacontenttype: 'application/json',
    data: event.data,
  };
}

function toWire(event: SimEvent, mode: ContentMode): WireEvent {
  return { topic: topicOfType(event.type), mode, envelope: envelopeOf(event) };
}

const BINARY_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'subject'] as const;

function serialise(wire: WireEvent, intended: Disposition, reason: ReasonCode | null): SimulatedRecord {
  const subject = wire.envelope.subject;
  const key = typeof subject === 'string' ? subject : null;
  let headers: Record<string, string>;
  let value: string;
  if (wire.mode === 'structured') {
    headers = { 'content-type': 'application/cloudevents+json' };
    value = JSON.stringify(wire.envelope);
  } else {
    headers = { 'content-type': 'application/json' };
    for (const name of BINARY_ATTRIBUTES) {
      const v = wire.envelope[name];
      if (typeof v === 'string') headers[`ce_${name}`] = v;
    }
    value = JSON.stringify(wire.envelope.data);
  }
  if (wire.finish) value = wire.finish(value);
  return { topic: wire.topic, key, headers, value, intended, reason };
}

export function encode(event: SimEvent, mode: ContentMode, intended: Disposition = 'accepted'): SimulatedRecord {
  return serialise(toWire(event, mode), intended, null);
}

/** A re-send of an event with the same (source, id): a duplicate once the first copy is accepted. */
export function encodeDuplicate(dice: Dice, event: SimEvent, mode: ContentMode, resentTime: string): SimulatedRecord {
  const roll = dice.unit();
  // Same bytes, the other content mode, or a re-export with a new `time`: all the same (source, id).
  if (roll < 0.55) return encode(event, mode, 'duplicate');
  if (roll < 0.8) return encode(event, mode === 'structured' ? 'binary' : 'structured', 'duplicate');
  return encode({ ...event, time: resentTime }, mode, 'duplicate');
}

// ---------------------------------------------------------------------------------------------
// Faults

/** The date fields that decide `future_dated` (events.md "Order, lateness, duplicates"). */
const EFFECTIVE_FIELD: Partial<Record<ShortType, string>> = {
  'enterprise.registered': 'establishedOn',
  'enterprise.updated': 'effectiveOn',
  'enterprise.deregistered': 'effectiveOn',
  'certification.granted': 'validFrom',
  'certification.revoked': 'effectiveOn',
};

/** The reasons a record of this type can be made to fail with (not the size or the bytes). */
export function reasonsFor(event: SimEvent): ReasonCode[] {
  const reasons: ReasonCode[] = ['too_large', 'malformed', 'unknown_type', 'schema_invalid', 'subject_mismatch'];
  if (event.type === 'task.progress.reported') return [...reasons, 'unauthorized_department'];
  reasons.push('invalid_uscc', 'future_dated');
  if (siteOf(event) !== null) reasons.push('invalid_location');
  return reasons;
}

function siteOf(event: { type: ShortType; data: Record<string, unknown> }): Record<string, unknown> | null {
  if (event.type === 'enterprise.registered') return event.data.site as Record<string, unknown>;
  if (event.type === 'enterprise.updated') return ((event.data.changes as Record<string, unknown>).site as Record<string, unknown> | undefined) ?? null;
  return null;
}

let padding: string | undefined;
/** Free text that takes a record over the 256 KiB limit on its own. */
const oversizedText = () => (padding ??= '附'.repeat(Math.ceil(MAX_EVENT_BYTES / 3) + 16));

/** A wrong check character: any other character of the alphabet. */
function wrongCheckCharacter(dice: Dice, uscc: string): string {
  const right = uscc[17]!;
  const others = [...USCC_ALPHABET].filter((c) => c !== right);
  return uscc.slice(0, 17) + dice.pick(others);
}

/**
 * A year typo that puts the date far in the future (2025 → 2205, or 3025): later than the day after
 * any arrival this century, whenever the records are replayed. 29 February stays a valid date.
 */
export function futureTypo(date: string): string {
  const [y, m, d] = date.split('-') as [string, string, string];
  let year = `${y[0]}${y[2]}${y[1]}${y[3]}`;
  if (Number(year) < 2100) year = String(Number(y) + 1000);
  return `${year}-${m}-${d === '29' && m === '02' ? '28' : d}`;
}

type Breaker = (dice: Dice, wire: WireEvent, event: SimEvent) => void;

const data = (wire: WireEvent) => wire.envelope.data as Record<string, unknown>;

/** One way to break each rule; each leaves every earlier rule satisfied. */
const BREAKERS: Record<ReasonCode, Breaker> = {
  too_large: (_dice, wire) => {
    // Extra fields are ignored (tolerant reader): only the size is wrong.
    wire.envelope.data = { ...data(wire), remarks: oversizedText() };
  },
  malformed: (dice, wire) => {
    const how = dice.pick(['truncated', 'noSource', 'specversion', 'noId', 'badTime'] as const);
    if (how === 'truncated') {
      // A cut-off export; binary mode cuts the data, structured the whole event.
      wire.finish = (value) => value.slice(0, Math.max(1, Math.floor(value.length / 2)));
    } else if (how === 'noSource') delete wire.envelope.source;
    else if (how === 'specversion') wire.envelope.specversion = '0.3';
    else if (how === 'noId') delete wire.envelope.id;
    else
      wire.envelope.time = String(wire.envelope.time)
        .replace('T', ' ')
        .replace(/(Z|\+08:00)$/, '');
  },
  unknown_type: (dice, wire, event) => {
    wire.envelope.type = dice.chance(0.5) ? fullType(event.type).replace(/\.v1$/, '.v2') : `${TYPE_PREFIX}${event.type.split('.')[0]}.exploded.v1`;
  },
  schema_invalid: (dice, wire, event) => {
    const d = data(wire);
    switch (event.type) {
      case 'enterprise.registered':
        if (dice.chance(0.5)) d.establishedOn = `${String(d.establishedOn).slice(0, 4)}-02-30`;
        else d.districtCode = Number(d.districtCode);
        break;
      case 'enterprise.updated':
        if (dice.chance(0.5)) d.changes = {};
        else d.effectiveOn = String(d.effectiveOn).replace(/-/g, '/');
        break;
      case 'enterprise.deregistered':
        d.reason = 'bankrupt';
        break;
      case 'certification.granted':
        if (dice.chance(0.5)) d.kind = `${String(d.kind)}_2`;
        else d.validUntil = `${Number(String(d.validFrom).slice(0, 4)) - 1}${String(d.validFrom).slice(4, 8)}01`;
        break;
      case 'certification.revoked':
        delete d.certificateNo;
        break;
      case 'task.progress.reported':
        if (dice.chance(0.5)) d.percentComplete = 100 + dice.between(1, 50);
        else d.status = 'done';
        break;
    }
  },
  invalid_uscc: (dice, wire) => {
    const d = data(wire);
    const uscc = String(d.uscc);
    // Lower case only breaks a code that has letters.
    const candidates = [uscc.toLowerCase(), wrongCheckCharacter(dice, uscc), uscc.slice(0, 16)].filter((c) => c !== uscc);
    const broken = dice.pick(candidates);
    d.uscc = broken;
    wire.envelope.subject = broken;
  },
  subject_mismatch: (dice, wire, event) => {
    if (event.type === 'task.progress.reported') {
      wire.envelope.subject = String((Number(event.subject) % 34) + 1);
    } else {
      // The USCC of the firm in the previous line of the provider's export.
      const uscc = String(data(wire).uscc);
      wire.envelope.subject = wrongFirm(dice, uscc);
    }
  },
  future_dated: (_dice, wire, event) => {
    const d = data(wire);
    const field = EFFECTIVE_FIELD[event.type]!;
    d[field] = futureTypo(String(d[field]));
    if (event.type === 'certification.granted') d.validUntil = null;
  },
  invalid_location: (dice, wire, event) => {
    const site = siteOf({ type: event.type, data: data(wire) });
    if (site === null) throw new Error(`invalid_location: ${event.type} without a site`);
    const location = (site.location as Record<string, unknown> | null) ?? { lon: 116.42, lat: 39.94, crs: 'WGS84' };
    const how = dice.pick(['latTooHigh', 'lostSign', 'swapped'] as const);
    // Swapped lon/lat (39.9, 116.4) puts lat out of 3..54.
    const broken =
      how === 'latTooHigh'
        ? { ...location, lat: 95 }
        : how === 'lostSign'
          ? { ...location, lon: -Number(location.lon) }
          : { ...location, lon: location.lat, lat: location.lon };
    const copy = { ...site, location: broken };
    if (event.type === 'enterprise.registered') data(wire).site = copy;
    else data(wire).changes = { ...(data(wire).changes as Record<string, unknown>), site: copy };
  },
  unauthorized_department: (dice, wire, event) => {
    const taskId = Number(event.subject);
    const outsiders = departments().filter((name) => !isDepartmentOnTask(taskId, name));
    data(wire).department = dice.pick(outsiders);
  },
};

/** A valid USCC of another firm (same division, other serial). */
function wrongFirm(dice: Dice, uscc: string): string {
  const chars = [...uscc.slice(0, 17)];
  const at = dice.between(10, 16);
  chars[at] = USCC_ALPHABET[(USCC_ALPHABET.indexOf(chars[at]!) + dice.between(1, 30)) % 31]!;
  const first17 = chars.join('');
  return first17 + usccCheckCharacter(first17)!;
}

/**
 * A record of `event` that breaks `reason` (and, sometimes, a later rule too: the first one broken
 * decides, as in real feeds where a record has several defects).
 */
export function encodeBroken(dice: Dice, event: SimEvent, mode: ContentMode, reason: ReasonCode, alsoBreak: ReasonCode | null): SimulatedRecord {
  const wire = toWire(event, mode);
  wire.envelope.data = structuredClone(event.data);
  // The later defect first: the intended one is applied last and so holds whatever the other did.
  if (alsoBreak !== null) BREAKERS[alsoBreak](dice, wire, event);
  BREAKERS[reason](dice, wire, event);
  return serialise(wire, 'rejected', reason);
}
