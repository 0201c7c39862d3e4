// The fixed vocabulary of shared/spec/events.md. One home: every package takes these from here.

export const DONGCHENG_DISTRICT_CODE = '110101';

export const FOCUS_INDUSTRIES = [
  'AI',
  'SMART_HEALTH',
  'DIGITAL_ENTERTAINMENT',
  'DIGITAL_ENERGY',
  'SMART_CITY',
  'TECH_SERVICES',
  'METAVERSE',
  'CARBON_NEUTRAL',
] as const;
export type FocusIndustry = (typeof FOCUS_INDUSTRIES)[number];

export const CERTIFICATION_KINDS = [
  'HNTE',
  'SRDI_SME',
  'SRDI_GIANT',
  'INNOVATIVE_SME',
  'SME_SERVICE_PLATFORM',
  'SMALL_MICRO_DEMO_BASE',
  'SA_PARK',
  'SA_STATION',
] as const;
export type CertificationKind = (typeof CERTIFICATION_KINDS)[number];

export const CERTIFICATION_LEVELS = ['national', 'municipal', 'district'] as const;
export type CertificationLevel = (typeof CERTIFICATION_LEVELS)[number];

export const CRS_NAMES = ['WGS84', 'GCJ02', 'BD09'] as const;
export type CrsName = (typeof CRS_NAMES)[number];

export const DEREGISTRATION_REASONS = ['cancelled', 'revoked', 'merged', 'other'] as const;
export type DeregistrationReason = (typeof DEREGISTRATION_REASONS)[number];

// Task statuses belong to the plan package (task status logic lives there); re-exported so that
// the whole vocabulary of events.md is available here.
export { TASK_STATUSES, type TaskStatus } from '@siliconalley/plan';

export const SHORT_TYPES = [
  'enterprise.registered',
  'enterprise.updated',
  'enterprise.deregistered',
  'certification.granted',
  'certification.revoked',
  'task.progress.reported',
] as const;
export type ShortType = (typeof SHORT_TYPES)[number];

export const TYPE_PREFIX = 'cn.gov.dongcheng.siliconalley.';
/** `enterprise.registered` → `cn.gov.dongcheng.siliconalley.enterprise.registered.v1` */
export const fullType = (short: ShortType): string => `${TYPE_PREFIX}${short}.v1`;

const SHORT_TYPE_OF_FULL: ReadonlyMap<string, ShortType> = new Map(SHORT_TYPES.map((t) => [fullType(t), t]));

/** `cn.gov.dongcheng.siliconalley.enterprise.registered.v1` → `enterprise.registered`; null when not in the contract. */
export const shortTypeOf = (full: string): ShortType | null => SHORT_TYPE_OF_FULL.get(full) ?? null;

/** Types whose subject is a firm (USCC); the rest (task reports) are keyed by task id. */
export const FIRM_TYPES = [
  'enterprise.registered',
  'enterprise.updated',
  'enterprise.deregistered',
  'certification.granted',
  'certification.revoked',
] as const satisfies readonly ShortType[];
export type FirmType = (typeof FIRM_TYPES)[number];
