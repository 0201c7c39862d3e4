// Small builders of accepted, normalised firm events for unit tests.
import type {
  CertificationGranted,
  CertificationGrantedData,
  CertificationRevoked,
  EnterpriseChanges,
  EnterpriseDeregistered,
  EnterpriseRegistered,
  EnterpriseRegisteredData,
  EnterpriseUpdated,
  IsoDate,
  Site,
} from '@siliconalley/contract';

export const USCC = '91110101MA01ABCD5M';

export const site = (lon: number | null, lat = 0, crs: 'WGS84' | 'GCJ02' | 'BD09' = 'WGS84', buildingId: string | null = null): Site => ({
  address: '北京市东城区',
  location: lon === null ? null : { lon, lat, crs },
  buildingId,
});
/** In QL, QL_START, AXIS, BELT_N2R, POLE_GHQL. */
export const IN_QL_START = site(116.421, 39.947);
/** In QL and QL_EXT only. */
export const IN_QL_EXT = site(116.4178, 39.943);
/** In Dongcheng, in no zone. */
export const NO_ZONE = site(116.41, 39.935);
export const UNLOCATED = site(null);

interface Meta {
  time?: string;
  id?: string;
  uscc?: string;
}

let serial = 0;
function envelope(effectiveDate: IsoDate, meta: Meta) {
  const uscc = meta.uscc ?? USCC;
  return {
    source: 'urn:test',
    id: meta.id ?? `e-${String(++serial).padStart(6, '0')}`,
    time: meta.time ?? `${effectiveDate}T08:00:00Z`,
    subject: uscc,
    effectiveDate,
    uscc,
  };
}

export function registered(data: Partial<EnterpriseRegisteredData> & { establishedOn: IsoDate }, meta: Meta = {}): EnterpriseRegistered {
  const { uscc, ...env } = envelope(data.establishedOn, meta);
  return {
    ...env,
    type: 'enterprise.registered',
    data: { uscc, name: '北京青龙智算科技有限公司', districtCode: '110101', site: IN_QL_START, industryCode: null, focusIndustry: 'AI', ...data },
  };
}

export function updated(effectiveOn: IsoDate, changes: EnterpriseChanges, meta: Meta = {}): EnterpriseUpdated {
  const { uscc, ...env } = envelope(effectiveOn, meta);
  return { ...env, type: 'enterprise.updated', data: { uscc, effectiveOn, changes } };
}

export function deregistered(effectiveOn: IsoDate, meta: Meta = {}): EnterpriseDeregistered {
  const { uscc, ...env } = envelope(effectiveOn, meta);
  return { ...env, type: 'enterprise.deregistered', data: { uscc, effectiveOn, reason: 'cancelled' } };
}

export function granted(data: Partial<CertificationGrantedData> & Pick<CertificationGrantedData, 'kind' | 'validFrom'>, meta: Meta = {}): CertificationGranted {
  const { uscc, ...env } = envelope(data.validFrom, meta);
  return {
    ...env,
    type: 'certification.granted',
    data: { uscc, level: 'national', certificateNo: `C-${data.kind}`, validUntil: null, issuer: null, batch: null, ...data },
  };
}

export function revoked(data: { kind: CertificationGrantedData['kind']; certificateNo?: string; effectiveOn: IsoDate }, meta: Meta = {}): CertificationRevoked {
  const { uscc, ...env } = envelope(data.effectiveOn, meta);
  return {
    ...env,
    type: 'certification.revoked',
    data: { uscc, kind: data.kind, certificateNo: data.certificateNo ?? `C-${data.kind}`, effectiveOn: data.effectiveOn, reason: null },
  };
}
