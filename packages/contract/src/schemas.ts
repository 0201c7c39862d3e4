// The `data` schemas of events.md, as sent by providers (the wire form). Tolerant reader: unknown
// extra fields are ignored; a field of the wrong type is not.
//
// Two rules are deliberately NOT part of these schemas, because events.md gives them their own,
// later reason codes: a `uscc` that is a string but not a valid code (invalid_uscc) and numeric
// coordinates out of range or non-finite (invalid_location). The JSON Schema export still tells
// providers about both, through `meta` (pattern, minimum, maximum).
//
// Every error message is an instruction ("send …"); `issues.ts` prefixes the field and the value.
import { isQuarterPeriod, isTaskId, TASK_COUNT, TASK_STATUSES } from '@siliconalley/plan';
import { z } from 'zod';
import { isIsoDate } from './dates';
import { LATITUDE_RANGE, LONGITUDE_RANGE } from './location';
import { wellFormed } from './text';
import { USCC_PATTERN } from './uscc';
import { CERTIFICATION_KINDS, CERTIFICATION_LEVELS, CRS_NAMES, DEREGISTRATION_REASONS, FOCUS_INDUSTRIES, type ShortType } from './vocabulary';

const oneOf = (values: readonly string[]) => values.join(', ');

/** A non-empty string of well-formed Unicode. */
const text = (instruction: string) => wellFormed(z.string({ error: instruction }).min(1, { error: instruction }));
/** May be absent or null (normalised to null). */
const optionalString = (instruction: string) =>
  wellFormed(z.string({ error: instruction }))
    .nullable()
    .optional();

const DATE_INSTRUCTION = 'send a calendar date YYYY-MM-DD (China time), e.g. 2024-02-29';
const isoDate = (instruction = DATE_INSTRUCTION) =>
  z.string({ error: instruction }).refine(isIsoDate, { error: instruction }).meta({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const uscc = z.string({ error: 'send the Unified Social Credit Code as an 18-character string' }).meta({
  pattern: USCC_PATTERN,
  description: 'Unified Social Credit Code (GB 32100-2015): 18 characters of 0-9 and ABCDEFGHJKLMNPQRTUWXY, upper case, the last one the check character',
});

/** Any JSON number: out-of-range and overflowing (1e999 → Infinity) coordinates are invalid_location. */
const coordinate = (axis: 'lon' | 'lat', range: { min: number; max: number }) =>
  z
    .custom<number>((v) => typeof v === 'number' && !Number.isNaN(v), {
      error: `send ${axis} as a number of decimal degrees (${range.min}..${range.max})`,
    })
    .meta({ type: 'number', minimum: range.min, maximum: range.max });

export const geoLocationSchema = z.object(
  {
    lon: coordinate('lon', LONGITUDE_RANGE),
    lat: coordinate('lat', LATITUDE_RANGE),
    crs: z.enum(CRS_NAMES, { error: `send crs as one of ${oneOf(CRS_NAMES)} (the map service's coordinate system)` }),
  },
  { error: 'send location as an object {"lon", "lat", "crs"}, or null when unknown' },
);

export const siteSchema = z.object(
  {
    address: text('send the address as a non-empty string'),
    location: geoLocationSchema.nullable().optional(),
    buildingId: optionalString('send buildingId as a string, or null'),
  },
  { error: 'send site as an object {"address", "location", "buildingId"}' },
);

const districtCode = z
  .string({ error: 'send districtCode as the 6-digit GB/T 2260 code in a string, e.g. "110101" (Dongcheng)' })
  .regex(/^\d{6}$/, { error: 'send districtCode as the 6-digit GB/T 2260 code in a string, e.g. "110101" (Dongcheng)' });

const INDUSTRY_CODE_INSTRUCTION = 'send a GB/T 4754-2017 code (a capital letter and 2-4 digits, e.g. "I6513"), or null';
const industryCode = z
  .string({ error: INDUSTRY_CODE_INSTRUCTION })
  .regex(/^[A-Z]\d{2,4}$/, { error: INDUSTRY_CODE_INSTRUCTION })
  .nullable()
  .optional();

const focusIndustry = z
  .enum(FOCUS_INDUSTRIES, { error: `send one of ${oneOf(FOCUS_INDUSTRIES)}, or null (unclassified)` })
  .nullable()
  .optional();

const firmName = text('send the registered name of the firm as a non-empty string');

/** What a non-object `data` is told. */
const dataObject = (type: ShortType) => ({ error: `send data as a JSON object with the fields of ${type}` });

export const enterpriseRegisteredData = z.object(
  {
    uscc,
    name: firmName,
    establishedOn: isoDate(),
    districtCode,
    site: siteSchema,
    industryCode,
    focusIndustry,
  },
  dataObject('enterprise.registered'),
);

const CHANGE_KEYS = ['districtCode', 'site', 'name', 'industryCode', 'focusIndustry'] as const;

export const enterpriseChangesSchema = z
  .object(
    { districtCode: districtCode.optional(), site: siteSchema.optional(), name: firmName.optional(), industryCode, focusIndustry },
    { error: `send changes as an object with at least one of ${oneOf(CHANGE_KEYS)}` },
  )
  .refine((changes) => CHANGE_KEYS.some((key) => changes[key] !== undefined), {
    error: `send at least one of ${oneOf(CHANGE_KEYS)} in changes`,
  })
  .meta({ minProperties: 1 });

export const enterpriseUpdatedData = z.object({ uscc, effectiveOn: isoDate(), changes: enterpriseChangesSchema }, dataObject('enterprise.updated'));

export const enterpriseDeregisteredData = z.object(
  {
    uscc,
    effectiveOn: isoDate(),
    reason: z.enum(DEREGISTRATION_REASONS, { error: `send reason as one of ${oneOf(DEREGISTRATION_REASONS)}` }),
  },
  dataObject('enterprise.deregistered'),
);

const kind = z.enum(CERTIFICATION_KINDS, { error: `send kind as one of ${oneOf(CERTIFICATION_KINDS)}` });
const certificateNo = text('send certificateNo, the number printed on the certificate, as a non-empty string');

export const certificationGrantedData = z
  .object(
    {
      uscc,
      kind,
      level: z
        .enum(CERTIFICATION_LEVELS, { error: `send level as one of ${oneOf(CERTIFICATION_LEVELS)}, or null` })
        .nullable()
        .optional(),
      certificateNo,
      validFrom: isoDate(),
      validUntil: isoDate(`${DATE_INSTRUCTION}, or null for the default three years`).nullable().optional(),
      issuer: optionalString('send issuer as a string, or null'),
      batch: optionalString('send batch as a string, or null'),
    },
    dataObject('certification.granted'),
  )
  .superRefine((grant, ctx) => {
    if (grant.validUntil != null && grant.validUntil < grant.validFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['validUntil'],
        message:
          `data.validUntil ${grant.validUntil} is before data.validFrom ${grant.validFrom}: ` +
          'send validUntil on or after validFrom, or null for the default three years',
        params: { standalone: true },
      });
    }
  });

export const certificationRevokedData = z.object(
  {
    uscc,
    kind,
    certificateNo,
    effectiveOn: isoDate(),
    reason: optionalString('send reason as a string, or null'),
  },
  dataObject('certification.revoked'),
);

const TASK_ID_INSTRUCTION = `send taskId as a whole number from 1 to ${TASK_COUNT}, the task's number in the plan (shared/spec/tasks.json)`;
const PERCENT_INSTRUCTION = 'send percentComplete as a whole number from 0 to 100';
const PERIOD_INSTRUCTION = 'send period as the reported quarter YYYY-Qn, e.g. "2025-Q3"';

export const taskProgressReportedData = z.object(
  {
    taskId: z
      .number({ error: TASK_ID_INSTRUCTION })
      .int({ error: TASK_ID_INSTRUCTION })
      .min(1, { error: TASK_ID_INSTRUCTION })
      .max(TASK_COUNT, { error: TASK_ID_INSTRUCTION })
      .refine(isTaskId, { error: TASK_ID_INSTRUCTION }),
    department: text("send department as the reporting department's name, a lead or cooperating department of the task"),
    period: z.string({ error: PERIOD_INSTRUCTION }).refine(isQuarterPeriod, { error: PERIOD_INSTRUCTION }).meta({ pattern: '^\\d{4}-Q[1-4]$' }),
    status: z.enum(TASK_STATUSES, { error: `send status as one of ${oneOf(TASK_STATUSES)}` }),
    percentComplete: z
      .number({ error: PERCENT_INSTRUCTION })
      .int({ error: PERCENT_INSTRUCTION })
      .min(0, { error: PERCENT_INSTRUCTION })
      .max(100, { error: PERCENT_INSTRUCTION }),
    narrative: optionalString('send narrative as a string, or null'),
  },
  dataObject('task.progress.reported'),
);

/** The `data` schema of each type. */
export const DATA_SCHEMAS = {
  'enterprise.registered': enterpriseRegisteredData,
  'enterprise.updated': enterpriseUpdatedData,
  'enterprise.deregistered': enterpriseDeregisteredData,
  'certification.granted': certificationGrantedData,
  'certification.revoked': certificationRevokedData,
  'task.progress.reported': taskProgressReportedData,
} as const satisfies Record<ShortType, z.ZodType>;

/** `data` as sent (after schema validation), per type. */
export type WireData<T extends ShortType> = z.output<(typeof DATA_SCHEMAS)[T]>;
export type WireGeoLocation = z.output<typeof geoLocationSchema>;
export type WireSite = z.output<typeof siteSchema>;
