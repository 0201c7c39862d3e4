// Small builders of accepted events and of the consumer records that carry them, for unit tests.
import type { AcceptedEvent, CertificationGranted, EnterpriseRegistered, TaskProgressReported } from '@siliconalley/contract';
import type { InboundRecord } from '@siliconalley/kafka';

export const FIRM_A = '91110101MA01AAAA00';
export const FIRM_B = '91110101MA01BBBB00';
export const FIRM_C = '91110101MA01CCCC00';

let serial = 0;
const nextId = () => `e-${String(++serial).padStart(6, '0')}`;

interface Meta {
  id?: string;
  source?: string;
  time?: string;
}

export function registered(uscc: string, establishedOn: string, meta: Meta = {}): EnterpriseRegistered {
  return {
    source: meta.source ?? 'urn:registry',
    id: meta.id ?? nextId(),
    type: 'enterprise.registered',
    time: meta.time ?? `${establishedOn}T08:00:00Z`,
    subject: uscc,
    effectiveDate: establishedOn,
    data: {
      uscc,
      name: `firm ${uscc.slice(-6)}`,
      establishedOn,
      districtCode: '110101',
      site: { address: '北京市东城区', location: { lon: 116.421, lat: 39.947, crs: 'WGS84' }, buildingId: null },
      industryCode: null,
      focusIndustry: 'AI',
    },
  };
}

export function granted(uscc: string, validFrom: string, meta: Meta & { certificateNo?: string } = {}): CertificationGranted {
  return {
    source: meta.source ?? 'urn:certifier',
    id: meta.id ?? nextId(),
    type: 'certification.granted',
    time: meta.time ?? `${validFrom}T08:00:00Z`,
    subject: uscc,
    effectiveDate: validFrom,
    data: { uscc, kind: 'HNTE', level: 'national', certificateNo: meta.certificateNo ?? `C-${uscc}`, validFrom, validUntil: null, issuer: null, batch: null },
  };
}

export function taskReport(taskId: number, period: string, time: string, meta: Meta = {}): TaskProgressReported {
  return {
    source: meta.source ?? 'urn:tasks',
    id: meta.id ?? nextId(),
    type: 'task.progress.reported',
    time,
    subject: `task-${taskId}`,
    effectiveDate: time.slice(0, 10),
    data: { taskId, department: '区科信局', departmentNormalised: '区科信局', period, status: 'in_progress', percentComplete: 50, narrative: null },
  };
}

/** The records of `partition` from offset `first` on, one per event. */
export function recordsOf(partition: number, first: number, events: readonly AcceptedEvent[]): InboundRecord[] {
  return events.map((e, i) => ({
    topic: 'accepted',
    partition,
    offset: String(first + i),
    key: e.subject,
    headers: {},
    value: Buffer.from(JSON.stringify(e)),
    timestamp: 0,
  }));
}
