// Per type, what the ordered checks of events.md need to know (effective date, subject, USCC,
// coordinates, department) and how the wire `data` becomes the normalised accepted event.
import { normaliseDepartment, quarterFirstDay } from '@siliconalley/plan';
import type { z } from 'zod';
import type { IsoDate } from './dates';
import type { CloudEventEnvelope } from './envelope';
import type { AcceptedEvent, GeoLocation, Site } from './events';
import { DATA_SCHEMAS, type WireData, type WireSite } from './schemas';
import type { ShortType } from './vocabulary';

export type AcceptedEventOf<T extends ShortType> = Extract<AcceptedEvent, { type: T }>;

export interface TypeRules<T extends ShortType> {
  schema: z.ZodType<WireData<T>>;
  /** The day from which the fact holds, and the field (name, value as sent) it comes from. */
  effective(data: WireData<T>): { field: string; value: string; date: IsoDate };
  /** What `subject` must equal, where that comes from, and what it is (for messages). */
  expectedSubject(data: WireData<T>): { field: string; value: string; what: string };
  /** Firm events: the USCC that must be valid. */
  uscc(data: WireData<T>): string | null;
  /** Coordinates present in the event, with their field names. */
  locations(data: WireData<T>): { field: string; location: { lon: number; lat: number } }[];
  /** Task events: the department that must be on the task. */
  reporter(data: WireData<T>): { taskId: number; department: string } | null;
  normalise(envelope: CloudEventEnvelope, data: WireData<T>): AcceptedEventOf<T>;
}

function normaliseSite(site: WireSite): Site {
  const location: GeoLocation | null = site.location ? { lon: site.location.lon, lat: site.location.lat, crs: site.location.crs } : null;
  return { address: site.address, location, buildingId: site.buildingId ?? null };
}

function siteLocations(site: WireSite | undefined, field: string) {
  return site?.location ? [{ field, location: site.location }] : [];
}

/** The envelope part of every accepted event. */
function base<T extends ShortType>(type: T, envelope: CloudEventEnvelope, effectiveDate: IsoDate) {
  return { source: envelope.source, id: envelope.id, type, time: envelope.time, subject: envelope.subject, effectiveDate };
}

const effectiveOn = (field: string, date: IsoDate) => ({ field, value: date, date });
const firmSubject = (data: { uscc: string }) => ({ field: 'data.uscc', value: data.uscc, what: 'USCC' });
const noReporter = () => null;

export const TYPE_RULES: { [T in ShortType]: TypeRules<T> } = {
  'enterprise.registered': {
    schema: DATA_SCHEMAS['enterprise.registered'],
    effective: (d) => effectiveOn('data.establishedOn', d.establishedOn),
    expectedSubject: firmSubject,
    uscc: (d) => d.uscc,
    locations: (d) => siteLocations(d.site, 'data.site.location'),
    reporter: noReporter,
    normalise: (envelope, d) => ({
      ...base('enterprise.registered', envelope, d.establishedOn),
      data: {
        uscc: d.uscc,
        name: d.name,
        establishedOn: d.establishedOn,
        districtCode: d.districtCode,
        site: normaliseSite(d.site),
        industryCode: d.industryCode ?? null,
        focusIndustry: d.focusIndustry ?? null,
      },
    }),
  },
  'enterprise.updated': {
    schema: DATA_SCHEMAS['enterprise.updated'],
    effective: (d) => effectiveOn('data.effectiveOn', d.effectiveOn),
    expectedSubject: firmSubject,
    uscc: (d) => d.uscc,
    locations: (d) => siteLocations(d.changes.site, 'data.changes.site.location'),
    reporter: noReporter,
    normalise: (envelope, d) => {
      const { districtCode, site, name, industryCode, focusIndustry } = d.changes;
      // Only keys that were sent: absence means "unchanged", null (where allowed) means "cleared".
      const changes = {
        ...(districtCode !== undefined && { districtCode }),
        ...(site !== undefined && { site: normaliseSite(site) }),
        ...(name !== undefined && { name }),
        ...(industryCode !== undefined && { industryCode }),
        ...(focusIndustry !== undefined && { focusIndustry }),
      };
      return { ...base('enterprise.updated', envelope, d.effectiveOn), data: { uscc: d.uscc, effectiveOn: d.effectiveOn, changes } };
    },
  },
  'enterprise.deregistered': {
    schema: DATA_SCHEMAS['enterprise.deregistered'],
    effective: (d) => effectiveOn('data.effectiveOn', d.effectiveOn),
    expectedSubject: firmSubject,
    uscc: (d) => d.uscc,
    locations: () => [],
    reporter: noReporter,
    normalise: (envelope, d) => ({
      ...base('enterprise.deregistered', envelope, d.effectiveOn),
      data: { uscc: d.uscc, effectiveOn: d.effectiveOn, reason: d.reason },
    }),
  },
  'certification.granted': {
    schema: DATA_SCHEMAS['certification.granted'],
    effective: (d) => effectiveOn('data.validFrom', d.validFrom),
    expectedSubject: firmSubject,
    uscc: (d) => d.uscc,
    locations: () => [],
    reporter: noReporter,
    normalise: (envelope, d) => ({
      ...base('certification.granted', envelope, d.validFrom),
      data: {
        uscc: d.uscc,
        kind: d.kind,
        level: d.level ?? null,
        certificateNo: d.certificateNo,
        validFrom: d.validFrom,
        validUntil: d.validUntil ?? null,
        issuer: d.issuer ?? null,
        batch: d.batch ?? null,
      },
    }),
  },
  'certification.revoked': {
    schema: DATA_SCHEMAS['certification.revoked'],
    effective: (d) => effectiveOn('data.effectiveOn', d.effectiveOn),
    expectedSubject: firmSubject,
    uscc: (d) => d.uscc,
    locations: () => [],
    reporter: noReporter,
    normalise: (envelope, d) => ({
      ...base('certification.revoked', envelope, d.effectiveOn),
      data: { uscc: d.uscc, kind: d.kind, certificateNo: d.certificateNo, effectiveOn: d.effectiveOn, reason: d.reason ?? null },
    }),
  },
  'task.progress.reported': {
    schema: DATA_SCHEMAS['task.progress.reported'],
    // A report holds from the first day of its quarter (events.md "Order, lateness, duplicates").
    effective: (d) => ({ field: 'data.period', value: d.period, date: quarterFirstDay(d.period) }),
    expectedSubject: (d) => ({ field: 'data.taskId', value: String(d.taskId), what: 'task id (subject as a string)' }),
    uscc: () => null,
    locations: () => [],
    reporter: (d) => ({ taskId: d.taskId, department: d.department }),
    normalise: (envelope, d) => ({
      ...base('task.progress.reported', envelope, quarterFirstDay(d.period)),
      data: {
        taskId: d.taskId,
        department: d.department,
        departmentNormalised: normaliseDepartment(d.department),
        period: d.period,
        status: d.status,
        percentComplete: d.percentComplete,
        narrative: d.narrative ?? null,
      },
    }),
  },
};
