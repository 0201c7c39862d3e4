// Request and response schemas of action lists and what-if (api.md "Action lists and what-if"). The
// alerting service validates with them, the indicator answers the partial shapes, and the gateway
// documents them in OpenAPI.
import { z } from 'zod';
import { CERTIFICATION_KINDS, FOCUS_INDUSTRIES, isIsoDate } from '@siliconalley/contract';
import { DEFAULT_ACTION_WINDOW_DAYS, DEFAULT_FIRST_DATE, type ActionLists, type ActionListsHead } from '@siliconalley/kpi-engine';
import { asOfDate } from './kpis';
import { targetJudgementSchema } from './targets';

/** Longest renewal window asked for: a certificate runs three years. */
export const MAX_ACTION_WINDOW_DAYS = 1096;
/** Hypothetical events in one what-if (api.md). */
export const MAX_WHAT_IF_EVENTS = 1000;

export const actionsQuery = (now?: () => Date) =>
  z
    .object({
      asOf: asOfDate(now).optional(),
      within: z.coerce
        .number()
        .int('must be a whole number of days')
        .min(1, 'must be at least 1 day')
        .max(MAX_ACTION_WINDOW_DAYS, `must be at most ${MAX_ACTION_WINDOW_DAYS} days`)
        .default(DEFAULT_ACTION_WINDOW_DAYS)
        .meta({ description: `Renewal window w in days (default ${DEFAULT_ACTION_WINDOW_DAYS})` }),
      format: z.enum(['json', 'csv']).optional().meta({ description: '`csv`: one row per entry with a `list` column (UTF-8 with BOM)' }),
    })
    .strict();

/**
 * The indicator's partial route: a zone instead of a target; with `limit`, the first `limit` entries
 * of each list and the lengths of the whole lists (the answer costs O(limit), not O(list)).
 */
export const partialActionsQuery = (now?: () => Date) =>
  z
    .object({
      asOf: asOfDate(now),
      zone: z.string().regex(/^[A-Za-z0-9_]+$/, 'must be a zone id'),
      within: z.coerce.number().int().min(1).max(MAX_ACTION_WINDOW_DAYS),
      limit: z.coerce.number().int('must be a whole number of entries').min(1, 'must be at least 1').optional(),
    })
    .strict();

const firm = {
  uscc: z.string(),
  name: z.string(),
  focusIndustry: z.enum(FOCUS_INDUSTRIES).nullable(),
  zones: z.array(z.string()).meta({ description: 'Zone ids the firm is in on asOf, ascending' }),
};
const kind = z.enum(CERTIFICATION_KINDS);

export const actionListsSchema = z.object({
  renewalsDue: z.array(
    z.object({
      ...firm,
      lapsesOn: z.string().meta({ description: 'Day after the latest validUntil among its qualifying certificates valid on asOf' }),
      certificates: z.array(z.object({ kind, certificateNo: z.string(), validUntil: z.string() })),
    }),
  ),
  relocationCandidates: z.array(
    z.object({
      ...firm,
      distanceMeters: z.number().int().nullable().meta({ description: "To the nearest point of the zone's boundary; null when unlocated" }),
      kinds: z.array(kind),
    }),
  ),
  nextTier: z.array(z.object({ ...firm, certificateNo: z.string(), validUntil: z.string() })),
});

/** Entries per list of the whole lists (when only their first entries are given). */
export const actionListLengthsSchema = z
  .object({ renewalsDue: z.number().int(), relocationCandidates: z.number().int(), nextTier: z.number().int() })
  .meta({ description: 'Entries of each whole list: more than given when a list was cut' });

export const actionsResponse = z
  .object({ asOf: z.string(), target: z.string(), zone: z.string(), within: z.number().int() })
  .extend(actionListsSchema.shape)
  .meta({ id: 'ActionListsResponse' });

/** GET /partial/actions on one indicator instance: the lists over the firms it holds. */
export interface PartialActions extends ActionLists {
  partitions: number[];
}

/** GET /partial/actions?limit=: the first `limit` entries of each list and the whole lists' lengths over the firms held here. */
export interface PartialActionsHead extends ActionListsHead {
  partitions: number[];
}

/** What-if day: any calendar day the KPI engine answers, future included (up to the targets' due dates). */
export const whatIfDate = z
  .string()
  .refine(isIsoDate, { message: 'must be a calendar date YYYY-MM-DD (China time), e.g. 2026-12-31' })
  .refine((d) => !isIsoDate(d) || d >= DEFAULT_FIRST_DATE, { message: `is before ${DEFAULT_FIRST_DATE}` })
  .meta({ description: 'Day to judge the targets on (China time); may be in the future, up to the latest due date', format: 'date' });

export const whatIfQuery = () => z.object({ asOf: whatIfDate }).strict();

export const whatIfRequest = z
  .object({
    events: z
      .array(z.unknown())
      .max(MAX_WHAT_IF_EVENTS, `at most ${MAX_WHAT_IF_EVENTS} hypothetical events`)
      .meta({ description: 'Structured CloudEvents JSON, as for HTTP ingest' }),
  })
  .strict()
  .meta({ id: 'WhatIfRequest' });

export const whatIfResponse = z
  .object({
    asOf: z.string(),
    targets: z.array(targetJudgementSchema).meta({ description: 'Targets on the stored events plus the accepted hypothetical ones' }),
    baseline: z.array(targetJudgementSchema).meta({ description: 'The same targets without the hypothetical events' }),
    rejected: z.array(z.object({ index: z.number().int(), reason: z.string(), detail: z.string() })),
    duplicates: z
      .array(z.object({ index: z.number().int(), detail: z.string() }))
      .meta({ description: 'Events with the (source, id) of a stored event or of an earlier one in the list: they change nothing' }),
  })
  .meta({ id: 'WhatIfResponse' });

/** POST /partial/what-if on one indicator instance. */
export interface PartialWhatIfRequest {
  /** Accepted (contract-validated) hypothetical events, without duplicates among themselves. */
  events: unknown[];
  dates: string[];
  /** `held` (default): firms this instance holds, with their stored events; `unheld`: every firm from its hypothetical events alone. */
  firms?: 'held' | 'unheld';
}

export interface PartialWhatIf {
  partitions: number[];
  zoneIds: string[];
  /** Series counts of the stored events per date. */
  counts: Record<string, Record<string, number>>;
  /** What the hypothetical events of the firms held here change, per date. */
  deltas: Record<string, Record<string, number>>;
  /** Firms (by USCC) the instance holds events of: their deltas are included. */
  held: string[];
  /** Indexes (into `events`) of events with the (source, id) of a stored one. */
  duplicates: number[];
}
