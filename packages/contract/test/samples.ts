// The examples of events.md as providers would send them, and helpers to wrap them as records.
import { fullType, type KafkaRecordIn, type ShortType } from '../src';

export const RECEIVED_AT = new Date('2026-11-26T12:00:00Z'); // 2026-11-26 20:00 in Beijing
export const CTX = { receivedAt: RECEIVED_AT };

export const USCC = '91110101MA01ABCD5M'; // events.md's example; a valid code

type Json = Record<string, unknown>;

export const registeredData = (uscc: string = USCC): Json => ({
  uscc,
  name: '北京青龙智算科技有限公司',
  establishedOn: '2021-05-10',
  districtCode: '110101',
  site: { address: '北京市东城区青龙胡同1号', location: { lon: 116.4236, lat: 39.9473, crs: 'WGS84' }, buildingId: 'B_GEHUA' },
  industryCode: 'I6513',
  focusIndustry: 'AI',
});
export const updatedData = (): Json => ({
  uscc: USCC,
  effectiveOn: '2024-03-01',
  changes: { districtCode: '110101', site: { address: '北京市东城区青龙胡同2号', location: null, buildingId: 'B_GEHUA' } },
});
export const deregisteredData = (): Json => ({ uscc: USCC, effectiveOn: '2025-08-01', reason: 'cancelled' });
export const grantedData = (): Json => ({
  uscc: USCC,
  kind: 'HNTE',
  level: 'national',
  certificateNo: 'GR202311001234',
  validFrom: '2023-12-12',
  validUntil: null,
  issuer: '北京市科学技术委员会',
  batch: '2023-2',
});
export const revokedData = (): Json => ({ uscc: USCC, kind: 'HNTE', certificateNo: 'GR202311001234', effectiveOn: '2025-05-20', reason: '复核不合格' });
export const taskData = (): Json => ({
  taskId: 14,
  department: '区国资委',
  period: '2025-Q3',
  status: 'in_progress',
  percentComplete: 60,
  narrative: '主体结构完工',
});

export const SAMPLE_DATA: Record<ShortType, () => Json> = {
  'enterprise.registered': registeredData,
  'enterprise.updated': updatedData,
  'enterprise.deregistered': deregisteredData,
  'certification.granted': grantedData,
  'certification.revoked': revokedData,
  'task.progress.reported': taskData,
};

export const SOURCE_OF: Record<ShortType, string> = {
  'enterprise.registered': 'urn:dongcheng:samr',
  'enterprise.updated': 'urn:dongcheng:samr',
  'enterprise.deregistered': 'urn:dongcheng:samr',
  'certification.granted': 'urn:dongcheng:stc',
  'certification.revoked': 'urn:dongcheng:stc',
  'task.progress.reported': 'urn:dongcheng:taskforce',
};

export const TOPIC_OF: Record<ShortType, string> = {
  'enterprise.registered': 'siliconalley.enterprise.v1',
  'enterprise.updated': 'siliconalley.enterprise.v1',
  'enterprise.deregistered': 'siliconalley.enterprise.v1',
  'certification.granted': 'siliconalley.certification.v1',
  'certification.revoked': 'siliconalley.certification.v1',
  'task.progress.reported': 'siliconalley.task.v1',
};

/** A structured CloudEvent; `data` and attributes may be overridden (undefined removes one). */
export function cloudEvent(type: ShortType, data: unknown = SAMPLE_DATA[type](), attributes: Json = {}): Json {
  // The subject the data asks for, when the data is well-formed enough to say.
  const fields: Json = typeof data === 'object' && data !== null ? (data as Json) : {};
  const subject = type === 'task.progress.reported' ? String(fields.taskId ?? '14') : typeof fields.uscc === 'string' ? fields.uscc : USCC;
  const event: Json = {
    specversion: '1.0',
    id: `${type}-0001`,
    source: SOURCE_OF[type],
    type: fullType(type),
    time: '2025-10-10T02:00:00Z',
    subject,
    datacontenttype: 'application/json',
    data,
    ...attributes,
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return event;
}

export function structuredRecord(event: Json, topic?: string): KafkaRecordIn {
  const type = String(event.type)
    .replace('cn.gov.dongcheng.siliconalley.', '')
    .replace(/\.v\d+$/, '') as ShortType;
  return {
    topic: topic ?? TOPIC_OF[type] ?? 'siliconalley.enterprise.v1',
    key: typeof event.subject === 'string' ? event.subject : null,
    headers: { 'content-type': 'application/cloudevents+json' },
    value: JSON.stringify(event),
  };
}

/** The same event in binary mode: attributes as ce_ headers, data as the value. */
export function binaryRecord(event: Json, topic?: string): KafkaRecordIn {
  const { data, datacontenttype, ...attributes } = event;
  const headers: Record<string, string> = { 'content-type': typeof datacontenttype === 'string' ? datacontenttype : 'application/json' };
  for (const [name, value] of Object.entries(attributes)) headers[`ce_${name}`] = String(value);
  return { ...structuredRecord(event, topic), headers, value: data === undefined ? null : JSON.stringify(data) };
}

export const record = (type: ShortType, data?: unknown, attributes?: Json) => structuredRecord(cloudEvent(type, data, attributes));
