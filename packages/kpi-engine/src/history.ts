// One firm's effective-dated history from all of its accepted events, in any arrival order
// (shared/spec/events.md: registration corrections, effective-dated changes, certificate
// corrections and revocations).
import type {
  AcceptedEvent,
  CertificationKind,
  CertificationLevel,
  EnterpriseDeregistered,
  EnterpriseRegistered,
  EnterpriseUpdated,
  FirmEvent,
  FocusIndustry,
  Site,
} from '@siliconalley/contract';
import { certificateValidUntil } from '@siliconalley/contract';
import { dayNumber } from './days';

/** Open end of a day interval. */
export const FOREVER = Number.POSITIVE_INFINITY;

/** Days [from, to) as day numbers; `to` may be FOREVER. */
export interface DayInterval {
  from: number;
  to: number;
}

/** What a firm looks like on every day of [from, to); only days on which it is active. */
export interface FirmState extends DayInterval {
  name: string;
  districtCode: string;
  site: Site;
  industryCode: string | null;
  focusIndustry: FocusIndustry | null;
}

export interface Certificate {
  kind: CertificationKind;
  certificateNo: string;
  level: CertificationLevel | null;
  validFrom: number;
  /** Last valid day, inclusive (the 3-year default already applied). */
  validUntil: number;
  /** Earliest revocation's effective day; FOREVER when never revoked. */
  revokedOn: number;
}

export interface FirmHistory {
  /** Null while no registration is known: certificates are kept but count only once the firm is known. */
  establishedOn: number | null;
  /** Consecutive, non-overlapping, ascending; empty when not registered. */
  states: FirmState[];
  certificates: Certificate[];
}

interface Ordered {
  time: string;
  id: string;
}

/** Order of corrections and same-day facts: `time` as an instant, then `id`. */
export function compareTimeThenId(a: Ordered, b: Ordered): number {
  // RFC 3339 allows lower-case t/z and any offset, so compare instants, not strings (to the millisecond).
  const ta = Date.parse(a.time.toUpperCase());
  const tb = Date.parse(b.time.toUpperCase());
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const latest = <T extends Ordered>(events: readonly T[]): T | undefined =>
  events.reduce<T | undefined>((best, e) => (best === undefined || compareTimeThenId(e, best) > 0 ? e : best), undefined);

/** Days on which the certificate is valid: validFrom ≤ d ≤ validUntil and d before revocation. */
export function certificateValidDays(cert: Certificate): DayInterval | null {
  const to = Math.min(cert.validUntil + 1, cert.revokedOn);
  return cert.validFrom < to ? { from: cert.validFrom, to } : null;
}

export function certificateValidOn(cert: Certificate, day: number): boolean {
  return cert.validFrom <= day && day <= cert.validUntil && day < cert.revokedOn;
}

type Change = EnterpriseUpdated | EnterpriseDeregistered;

function resolveStates(base: EnterpriseRegistered, changes: readonly Change[]): FirmState[] {
  const establishedOn = dayNumber(base.data.establishedOn);

  // On top of it, in effective-date order (same day: by time, id); before establishedOn: no effect.
  const applicable = changes
    .map((event) => ({ event, day: dayNumber(event.effectiveDate) }))
    .filter(({ day }) => day >= establishedOn)
    .sort((a, b) => a.day - b.day || compareTimeThenId(a.event, b.event));

  const { name, districtCode, site, industryCode, focusIndustry } = base.data;
  let current: FirmState = { from: establishedOn, to: FOREVER, name, districtCode, site, industryCode, focusIndustry };
  const states: FirmState[] = [];
  for (const { event, day } of applicable) {
    if (day > current.from) {
      states.push({ ...current, to: day });
      current = { ...current, from: day };
    }
    if (event.type === 'enterprise.deregistered') {
      // Not active from effectiveOn on: nothing after it matters.
      current.to = day;
      break;
    }
    const c = event.data.changes;
    // Only keys present change (undefined = absent); site is replaced whole.
    if (c.name !== undefined) current.name = c.name;
    if (c.districtCode !== undefined) current.districtCode = c.districtCode;
    if (c.site !== undefined) current.site = c.site;
    if (c.industryCode !== undefined) current.industryCode = c.industryCode;
    if (c.focusIndustry !== undefined) current.focusIndustry = c.focusIndustry;
  }
  if (current.from < current.to) states.push(current);
  return states;
}

function resolveCertificates(events: readonly FirmEvent[]): Certificate[] {
  const grants = new Map<string, Extract<FirmEvent, { type: 'certification.granted' }>[]>();
  const revokedOn = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'certification.granted') {
      const key = `${event.data.kind}|${event.data.certificateNo}`;
      const same = grants.get(key);
      if (same === undefined) grants.set(key, [event]);
      else same.push(event);
    } else if (event.type === 'certification.revoked') {
      // The earliest revocation counts, whether it arrived before or after its grant.
      const key = `${event.data.kind}|${event.data.certificateNo}`;
      revokedOn.set(key, Math.min(revokedOn.get(key) ?? FOREVER, dayNumber(event.effectiveDate)));
    }
  }
  const certificates: Certificate[] = [];
  for (const [key, sameCertificate] of grants) {
    // Another grant of the same (uscc, kind, certificateNo) corrects it: latest (time, id) wins.
    const { data } = latest(sameCertificate)!;
    const validFrom = dayNumber(data.validFrom);
    certificates.push({
      kind: data.kind,
      certificateNo: data.certificateNo,
      level: data.level,
      validFrom,
      validUntil: dayNumber(certificateValidUntil(data)),
      revokedOn: revokedOn.get(key) ?? FOREVER,
    });
  }
  // A stable order whatever the arrival order, so contributions are identical too.
  return certificates.sort((a, b) =>
    a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.certificateNo < b.certificateNo ? -1 : a.certificateNo > b.certificateNo ? 1 : 0,
  );
}

/** Resolves all accepted events of ONE firm (deduplicated by (source, id), any order) into its history. */
export function resolveFirmHistory(events: readonly FirmEvent[]): FirmHistory {
  const registrations: EnterpriseRegistered[] = [];
  const changes: Change[] = [];
  for (const event of events) {
    if (event.type === 'enterprise.registered') registrations.push(event);
    else if (event.type === 'enterprise.updated' || event.type === 'enterprise.deregistered') changes.push(event);
  }
  // Of all registrations the latest (time, id) is the base record; the others no longer count.
  const base = latest(registrations);
  return {
    establishedOn: base === undefined ? null : dayNumber(base.data.establishedOn),
    states: base === undefined ? [] : resolveStates(base, changes),
    certificates: resolveCertificates(events),
  };
}

/** Accepted events grouped per firm (by subject = USCC); task reports are left out. */
export function groupEventsByFirm(events: Iterable<AcceptedEvent>): Map<string, FirmEvent[]> {
  const firms = new Map<string, FirmEvent[]>();
  for (const event of events) {
    if (event.type === 'task.progress.reported') continue;
    const own = firms.get(event.subject);
    if (own === undefined) firms.set(event.subject, [event]);
    else own.push(event);
  }
  return firms;
}
