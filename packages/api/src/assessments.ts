// Assessment routes (api.md "Assessments"): the JSON shapes, for the OpenAPI document and clients.
// The body is written by packages/assessments; this schema names its parts (extra fields allowed).
import { z } from 'zod';
import { actionListLengthsSchema, actionListsSchema } from './actions';
import { kpiEntrySchema } from './kpis';
import { TARGET_STATUSES } from '@siliconalley/targets';
import { departmentScoreSchema, targetJudgementSchema, taskEntrySchema } from './targets';

/**
 * Entries an assessment keeps of each action list: the first, in the list's order (kpis.md), with
 * the whole lists' lengths beside them. A stored assessment is one document (16 MiB at most in
 * MongoDB/FerretDB): a city's relocation candidates alone would be ~200,000 entries (~40 MB).
 * GET /api/v1/targets/{id}/actions?asOf= gives a whole list.
 */
export const ASSESSMENT_ACTION_ROWS = 1000;

export const PERIOD_PATTERN = '^(\\d{4}|\\d{4}-Q[1-4]|\\d{4}-(0[1-9]|1[0-2]))$';

const statusSummary = z.partialRecord(z.enum(TARGET_STATUSES), z.number().int());

export const assessmentListResponse = z
  .object({
    assessments: z.array(
      z.object({
        period: z.string(),
        kind: z.enum(['month', 'quarter', 'year']),
        version: z.number().int().min(1),
        asOf: z.string(),
        publishedAt: z.string(),
        statusSummary,
        /** The version's data cut-off: the newest event it saw was received at this instant. */
        receivedUpTo: z
          .string()
          .nullable()
          .meta({ description: 'Data cut-off of this version: when the newest event it counted was received (null: no events yet).' }),
      }),
    ),
  })
  .meta({ id: 'AssessmentList' });

const leaf = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const assessmentSchema = z
  .looseObject({
    period: z.string(),
    kind: z.enum(['month', 'quarter', 'year']),
    start: z.string(),
    asOf: z.string(),
    version: z.number().int().min(1),
    publishedAt: z.string(),
    methods: z.looseObject({ assessment: z.string(), kpis: z.string(), targets: z.array(z.string()) }),
    statusSummary,
    kpis: z.array(kpiEntrySchema),
    targets: z.array(targetJudgementSchema),
    headlinePath: z.looseObject({ target: z.string(), points: z.array(z.object({ asOf: z.string(), value: z.number().nullable() })) }).nullable(),
    tasks: z.array(taskEntrySchema),
    departments: z.array(departmentScoreSchema),
    decomposition: z.looseObject({}).nullable(),
    dataQuality: z.looseObject({ unlocatedFirms: z.number().nullable(), certificatesWithoutKnownFirm: z.number().int() }),
    cutoff: z.looseObject({ storedEvents: z.number().int(), receivedUpTo: z.string().nullable(), acceptedOffsets: z.record(z.string(), z.string()) }),
    actions: z
      .object({ target: z.string(), zone: z.string(), within: z.number().int() })
      .extend(actionListsSchema.shape)
      .extend({
        lengths: actionListLengthsSchema
          .optional()
          .meta({ description: 'Entries of each whole list; a list longer than the entries kept was cut (absent in older versions, which kept every entry)' }),
      })
      .nullable()
      .optional()
      .meta({
        description: `The headline target's action lists as of the period end: the first ${ASSESSMENT_ACTION_ROWS.toLocaleString('en-US')} entries of each list in its order and \`lengths\`, the whole lists' lengths (GET /api/v1/targets/{id}/actions?asOf= gives a whole list on the current data). Absent in versions published before action lists existed`,
      }),
    whatIf: z
      .object({
        asOf: z.string(),
        baseline: z.array(targetJudgementSchema),
        scenarios: z.array(
          z.object({ id: z.enum(['renewals_granted', 'next_tier_certified']), events: z.number().int(), targets: z.array(targetJudgementSchema) }),
        ),
      })
      .nullable()
      .optional()
      .meta({ description: 'Targets at the headline due date if every renewal due is granted, or every next-tier firm certified' }),
    restatement: z
      .object({
        previousVersion: z.number().int(),
        changes: z.array(z.object({ key: z.string(), from: leaf, to: leaf })),
        causes: z.array(z.object({ type: z.string(), source: z.string(), events: z.number().int(), examples: z.array(z.string()) })),
      })
      .nullable(),
  })
  .meta({ id: 'Assessment' });
