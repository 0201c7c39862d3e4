// The accepted, normalised events that everything behind the ingestion door works with.
// Optional fields of the contract are normalised to `null` so consumers never see `undefined`.
import type { CertificationKind, CertificationLevel, CrsName, DeregistrationReason, FocusIndustry, TaskStatus } from './vocabulary';
import type { IsoDate } from './dates';

export interface GeoLocation {
  lon: number;
  lat: number;
  crs: CrsName;
}

export interface Site {
  address: string;
  location: GeoLocation | null;
  buildingId: string | null;
}

export interface EnterpriseRegisteredData {
  uscc: string;
  name: string;
  establishedOn: IsoDate;
  districtCode: string;
  site: Site;
  industryCode: string | null;
  focusIndustry: FocusIndustry | null;
}

/** Only keys present changed; `site` replaces the whole site. */
export interface EnterpriseChanges {
  districtCode?: string;
  site?: Site;
  name?: string;
  industryCode?: string | null;
  focusIndustry?: FocusIndustry | null;
}

export interface EnterpriseUpdatedData {
  uscc: string;
  effectiveOn: IsoDate;
  changes: EnterpriseChanges;
}

export interface EnterpriseDeregisteredData {
  uscc: string;
  effectiveOn: IsoDate;
  reason: DeregistrationReason;
}

export interface CertificationGrantedData {
  uscc: string;
  kind: CertificationKind;
  level: CertificationLevel | null;
  certificateNo: string;
  validFrom: IsoDate;
  /** As sent; `null` means validFrom + 3 years − 1 day (see `certificateValidUntil`). */
  validUntil: IsoDate | null;
  issuer: string | null;
  batch: string | null;
}

export interface CertificationRevokedData {
  uscc: string;
  kind: CertificationKind;
  certificateNo: string;
  effectiveOn: IsoDate;
  reason: string | null;
}

export interface TaskProgressReportedData {
  taskId: number;
  /** As sent by the provider. */
  department: string;
  /** After alias normalisation (shared/spec/kpis.md "Plan tasks"). */
  departmentNormalised: string;
  period: string; // YYYY-Qn
  status: TaskStatus;
  percentComplete: number;
  narrative: string | null;
}

interface EventBase<T extends string, D> {
  /** Idempotency key is (source, id). */
  source: string;
  id: string;
  type: T;
  /** RFC 3339 as sent by the provider; orders same-day facts (then `id`). */
  time: string;
  subject: string;
  /** The day from which the fact holds (events.md "Order, lateness, duplicates"). */
  effectiveDate: IsoDate;
  data: D;
}

export type EnterpriseRegistered = EventBase<'enterprise.registered', EnterpriseRegisteredData>;
export type EnterpriseUpdated = EventBase<'enterprise.updated', EnterpriseUpdatedData>;
export type EnterpriseDeregistered = EventBase<'enterprise.deregistered', EnterpriseDeregisteredData>;
export type CertificationGranted = EventBase<'certification.granted', CertificationGrantedData>;
export type CertificationRevoked = EventBase<'certification.revoked', CertificationRevokedData>;
export type TaskProgressReported = EventBase<'task.progress.reported', TaskProgressReportedData>;

export type EnterpriseEvent = EnterpriseRegistered | EnterpriseUpdated | EnterpriseDeregistered;
export type CertificationEvent = CertificationGranted | CertificationRevoked;
/** What a firm's history is made of; keyed by USCC (= subject). */
export type FirmEvent = EnterpriseEvent | CertificationEvent;
export type AcceptedEvent = FirmEvent | TaskProgressReported;

/**
 * The idempotency key of an event, (source, id), as one string: every map, set and duplicate check
 * keys events by it. JSON keeps the pair unambiguous for any characters. It is also the event
 * store's `_id` (packages/store), so its spelling must never change: stored documents use it.
 */
export function eventIdentity(event: { readonly source: string; readonly id: string }): string {
  return JSON.stringify([event.source, event.id]);
}
