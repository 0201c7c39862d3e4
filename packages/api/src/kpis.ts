// Request and response schemas of the KPI routes. The indicator validates requests with them and
// the gateway generates the OpenAPI document from them: one definition, no drift.
import { z } from 'zod';
import { CERTIFICATION_KINDS, chinaDateOf, dayNumber, isIsoDate, isoDate, monthEndsBetween, type IsoDate } from '@siliconalley/contract';
import { HttpProblem } from '@siliconalley/http';
import { DEFAULT_FIRST_DATE, KPI_IDS, kpiCatalogue, seriesKey, type KpiRef } from '@siliconalley/kpi-engine';

/**
 * A calendar day in China time; the future is refused (numbers as of tomorrow are not known yet),
 * and so is a day before the first one the KPI engine computes (DEFAULT_FIRST_DATE).
 */
export const asOfDate = (now: () => Date = () => new Date()) =>
  z
    .string()
    .refine(isIsoDate, { message: 'must be a calendar date YYYY-MM-DD (China time), e.g. 2025-06-30' })
    .refine((d) => !isIsoDate(d) || d >= DEFAULT_FIRST_DATE, { message: `is before ${DEFAULT_FIRST_DATE}: KPIs are computed from that day on` })
    .refine((d) => d <= chinaDateOf(now()), { message: 'is in the future (China time): KPIs are known up to today' })
    .meta({
      description: `Calendar day in China time (end of day), from ${DEFAULT_FIRST_DATE} up to today; default today`,
      example: '2025-06-30',
      format: 'date',
    });

export const scopeParam = z
  .string()
  .regex(/^(district|zone:[A-Za-z0-9_]+)$/, 'must be `district` or `zone:<ID>`, e.g. zone:QL')
  .meta({ description: '`district` or `zone:<ID>` (zones of the loaded zone file)', example: 'zone:QL' });

export const kpiIdParam = z.enum(KPI_IDS).meta({ description: 'KPI id (shared/spec/kpis.md)' });

export const kpiEntrySchema = z
  .object({
    id: kpiIdParam,
    scope: z.string(),
    kind: z.enum(CERTIFICATION_KINDS).optional(),
    industry: z.string().optional(),
    within: z.union([z.literal(90), z.literal(180)]).optional(),
    value: z.number().nullable().meta({ description: 'Count, or the exact share as a double; null when undefined (no district firms)' }),
  })
  .meta({ id: 'KpiEntry' });

export const kpisQuery = (now?: () => Date) => z.object({ asOf: asOfDate(now).optional() }).strict();
export const kpisResponse = z.object({ asOf: z.string(), kpis: z.array(kpiEntrySchema) }).meta({ id: 'KpisResponse' });

const labels = {
  kind: z.enum(CERTIFICATION_KINDS).optional().meta({ description: 'Certification kind (certified_firms, expiring_certifications)' }),
  industry: z
    .string()
    .regex(/^[A-Z_]+$/, 'must be a focus industry code or UNCLASSIFIED')
    .optional()
    .meta({ description: 'Focus industry (qualified_by_industry)' }),
  within: z.enum(['90', '180']).optional().meta({ description: 'Expiry window in days (expiring_certifications)' }),
};

/** step=day answers at most this many points (ten years of days): more is one response too large. */
export const MAX_DAILY_POINTS = 3660;

export const seriesQuery = (now?: () => Date) =>
  z
    .object({
      id: kpiIdParam,
      scope: scopeParam,
      ...labels,
      from: asOfDate(now),
      to: asOfDate(now),
      step: z
        .enum(['month', 'day'])
        .default('month')
        .meta({ description: `\`month\`: month ends between from and to; \`day\`: every day (at most ${MAX_DAILY_POINTS})` }),
    })
    .strict()
    .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] });

/**
 * The as-of dates of a series (a parsed seriesQuery): the month ends between from and to, or every
 * day from from to to; more than MAX_DAILY_POINTS days is a 400.
 */
export function seriesDates(q: { readonly from: IsoDate; readonly to: IsoDate; readonly step: 'month' | 'day' }): IsoDate[] {
  if (q.step === 'month') return monthEndsBetween(q.from, q.to);
  const [from, to] = [dayNumber(q.from), dayNumber(q.to)];
  if (to - from + 1 > MAX_DAILY_POINTS) throw new HttpProblem(400, `step=day allows at most ${MAX_DAILY_POINTS} points: narrow from/to or use step=month`);
  const dates: IsoDate[] = [];
  for (let d = from; d <= to; d++) dates.push(isoDate(d));
  return dates;
}

export const seriesResponse = z
  .object({
    id: kpiIdParam,
    scope: z.string(),
    kind: z.string().optional(),
    industry: z.string().optional(),
    within: z.number().optional(),
    points: z.array(z.object({ asOf: z.string(), value: z.number().nullable() })),
  })
  .meta({ id: 'KpiSeriesResponse' });

export const explainQuery = (now?: () => Date) => z.object({ id: kpiIdParam, scope: scopeParam, ...labels, asOf: asOfDate(now).optional() }).strict();

/**
 * Internal (indicator → alerting): the firm turnover of a KPI entry between two days — how many
 * firms it counts on `to` that it did not count on `from` (gained), and the reverse (lost). Either
 * order of the days is valid (swapping them swaps gained and lost).
 */
export const partialTurnoverQuery = (now?: () => Date) =>
  z.object({ id: kpiIdParam, scope: scopeParam, ...labels, from: asOfDate(now), to: asOfDate(now) }).strict();

export const explainResponse = z
  .object({
    asOf: z.string(),
    id: kpiIdParam,
    scope: z.string(),
    kind: z.string().optional(),
    industry: z.string().optional(),
    within: z.number().optional(),
    value: z.number().nullable(),
    firms: z.array(
      z.object({
        uscc: z.string(),
        name: z.string().nullable(),
        count: z.number().int().meta({ description: 'What the firm adds to the value: 1, or its certificates for a KPI that counts certificates' }),
      }),
    ),
  })
  .meta({ id: 'KpiExplainResponse' });

const partialDates = z.string().regex(/^\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2}){0,399}$/, 'must be up to 400 comma-separated dates YYYY-MM-DD');

/** Internal (indicator → gateway, alerting): a maintained count for up to 400 comma-separated dates. */
export const partialDatesQuery = (_now?: () => Date) => z.object({ asOf: partialDates }).strict();

/**
 * Internal (indicator → gateway, alerting): series counts for up to 400 comma-separated dates; with
 * `series` (comma-separated kpi-engine series keys) only those, so that a caller needing a few
 * series (target judgement) is sent a few numbers per date, not every series.
 */
export const partialCountsQuery = (_now?: () => Date) =>
  z
    .object({
      asOf: partialDates,
      series: z
        .string()
        .regex(/^[^,]+(,[^,]+){0,499}$/, 'must be up to 500 comma-separated series keys (id|scope[|kind][|industry][|within])')
        .optional(),
    })
    .strict();

/** The labels a KPI query may carry, as they come from a query string. */
export interface KpiQueryLabels {
  id: KpiRef['id'];
  scope: string;
  kind?: string;
  industry?: string;
  within?: string;
}

/**
 * The KPI entry a query names, checked against the catalogue of the given zones; a readable 400
 * for an unknown zone or a label combination that is not an entry.
 */
export function kpiRefOf(q: KpiQueryLabels, zoneIds: readonly string[]): KpiRef {
  if (q.scope !== 'district' && !zoneIds.includes(q.scope.slice('zone:'.length))) {
    throw new HttpProblem(400, `scope: unknown zone ${q.scope}; known: district, ${zoneIds.map((z) => `zone:${z}`).join(', ')}`);
  }
  const ref = {
    id: q.id,
    scope: q.scope,
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.industry ? { industry: q.industry } : {}),
    ...(q.within ? { within: Number(q.within) } : {}),
  } as KpiRef;
  if (!kpiCatalogue(zoneIds).some((entry) => seriesKey(entry) === seriesKey(ref))) {
    throw new HttpProblem(400, `no KPI entry ${JSON.stringify(ref)}: see GET /api/v1/kpis for the id × label combinations`);
  }
  return ref;
}
