// Certificates whose firm is unknown on a day: granted (effective) by then while no registration of
// the firm is effective by then — usually a certification feed that runs ahead of registrations.
// Reads only events effective by the day, so it restates exactly like the KPIs (events.md).

interface FirmEventLike {
  type: string;
  subject: string;
  effectiveDate: string;
  data: unknown;
}

/** Days [from, to) on which one certificate of a firm counts as without a known firm; `to` null: open-ended. */
export interface UncoveredCertificate {
  from: string;
  to: string | null;
}

/**
 * The rule, per firm (all of one firm's events): each certificate (kind, number) counts from its
 * first grant's effective date until the firm's earliest registration is effective. A certificate
 * granted on or after that day never counts.
 */
export function uncoveredCertificates(firmEvents: Iterable<FirmEventLike>): UncoveredCertificate[] {
  let registeredOn: string | null = null;
  const granted = new Map<string, string>();
  for (const e of firmEvents) {
    if (e.type === 'enterprise.registered') {
      if (registeredOn === null || e.effectiveDate < registeredOn) registeredOn = e.effectiveDate;
    } else if (e.type === 'certification.granted') {
      const d = e.data as { kind: string; certificateNo: string };
      const key = `${d.kind}|${d.certificateNo}`;
      const prev = granted.get(key);
      if (prev === undefined || e.effectiveDate < prev) granted.set(key, e.effectiveDate);
    }
  }
  const out: UncoveredCertificate[] = [];
  for (const from of granted.values()) if (registeredOn === null || from < registeredOn) out.push({ from, to: registeredOn });
  return out;
}

/** The count over any set of events, firm by firm (tests and offline checks; the indicator keeps it as it applies). */
export class CertificatesWithoutFirm {
  private readonly firms = new Map<string, FirmEventLike[]>();

  add(e: FirmEventLike): void {
    if (e.type !== 'enterprise.registered' && e.type !== 'certification.granted') return;
    const own = this.firms.get(e.subject);
    if (own) own.push(e);
    else this.firms.set(e.subject, [e]);
  }

  countOn(day: string): number {
    let n = 0;
    for (const events of this.firms.values()) {
      for (const { from, to } of uncoveredCertificates(events)) if (from <= day && (to === null || day < to)) n++;
    }
    return n;
  }
}

/** The event types the count reads. */
export const CERTIFICATE_FIRM_EVENT_TYPES = ['enterprise.registered', 'certification.granted'] as const;
