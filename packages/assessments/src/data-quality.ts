// Certificates whose firm is unknown on a day: granted (effective) by then while no registration of
// the firm is effective by then — usually a certification feed that runs ahead of registrations.
// Reads only events effective by the day, so it restates exactly like the KPIs (events.md).

interface FirmEventLike {
  type: string;
  subject: string;
  effectiveDate: string;
  data: unknown;
}

export class CertificatesWithoutFirm {
  /** Certificate (firm, kind, number) → first grant's effective date. */
  private readonly granted = new Map<string, { firm: string; from: string }>();
  /** Firm → earliest registration's effective date (establishedOn). */
  private readonly registered = new Map<string, string>();

  add(e: FirmEventLike): void {
    if (e.type === 'enterprise.registered') {
      const prev = this.registered.get(e.subject);
      if (prev === undefined || e.effectiveDate < prev) this.registered.set(e.subject, e.effectiveDate);
    } else if (e.type === 'certification.granted') {
      const d = e.data as { kind: string; certificateNo: string };
      const key = `${e.subject}|${d.kind}|${d.certificateNo}`;
      const prev = this.granted.get(key);
      if (!prev || e.effectiveDate < prev.from) this.granted.set(key, { firm: e.subject, from: e.effectiveDate });
    }
  }

  countOn(day: string): number {
    let n = 0;
    for (const { firm, from } of this.granted.values()) {
      if (from > day) continue;
      const reg = this.registered.get(firm);
      if (reg === undefined || reg > day) n++;
    }
    return n;
  }
}

/** The event types the count reads. */
export const CERTIFICATE_FIRM_EVENT_TYPES = ['enterprise.registered', 'certification.granted'] as const;
