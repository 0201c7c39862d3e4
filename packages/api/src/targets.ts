// Request and response schemas of the target and plan-task routes (api.md "Targets", "Tasks").
// The alerting service validates requests with them; the gateway documents them in OpenAPI.
import { z } from 'zod';
// The statuses are the domain's (targets judge targets, the plan defines task statuses): no copies here.
import { TASK_STATUSES } from '@siliconalley/contract';
import { TARGET_STATUSES, targetDefinitionSchema } from '@siliconalley/targets';
import { asOfDate } from './kpis';

export const targetsQuery = (now?: () => Date) => z.object({ asOf: asOfDate(now).optional() }).strict();
export const tasksQuery = targetsQuery;
export const departmentsQuery = targetsQuery;

export const targetJudgementSchema = z
  .object({
    id: z.string(),
    kpi: z.string().meta({ description: 'KPI id (kpis.md), or tasks_completed' }),
    scope: z.string(),
    baselineDate: z.string(),
    due: z.string(),
    method: z.string().meta({ description: 'Judgement method stored with the status, e.g. linear-v1' }),
    baseline: z.number().nullable(),
    target: z.number().nullable(),
    actual: z.number().nullable(),
    expected: z.number().nullable().meta({ description: 'Value on the straight path from baseline to target on asOf' }),
    ratio: z.number().nullable().meta({ description: '(A − B) / (E − B); null when E = B' }),
    forecast: z.number().nullable().meta({ description: 'OLS line through month-end values read at the due date; null with fewer than 3 points' }),
    status: z.enum(TARGET_STATUSES).nullable(),
    gapToPath: z.number().nullable().meta({ description: 'E − A' }),
    firmsNeeded: z
      .object({ toPath: z.number().int().nullable(), toTarget: z.number().int().nullable() })
      .optional()
      .meta({ description: 'Zone-share targets: additional qualified firms in the zone to reach the path and the target' }),
  })
  .meta({ id: 'TargetJudgement' });

export const targetsResponse = z
  .object({
    asOf: z.string(),
    targets: z.array(targetJudgementSchema),
    invalidStoredTargets: z
      .array(z.object({ id: z.string(), problems: z.array(z.string()) }))
      .optional()
      .meta({ description: "API-managed targets stored under an older schema that today's validation refuses: not judged; DELETE them by their id" }),
  })
  .meta({ id: 'TargetsResponse' });

export const taskEntrySchema = z
  .object({
    id: z.number().int(),
    section: z.string(),
    action: z.string(),
    name: z.string(),
    lead: z.array(z.string()).meta({ description: 'Lead departments, normalised' }),
    cooperating: z.array(z.string()).meta({ description: 'Cooperating departments, normalised' }),
    status: z.enum(TASK_STATUSES).nullable().meta({ description: 'Latest report whose period ended on or before asOf; null without one' }),
    percentComplete: z.number().nullable(),
    period: z.string().nullable().meta({ description: 'Period (YYYY-Qn) of the report that sets the status' }),
    dueQuarter: z.string().nullable().meta({ description: 'Quarter whose report is due on asOf' }),
    overdue: z.boolean(),
    blocked: z.boolean(),
  })
  .meta({ id: 'TaskEntry' });

export const tasksResponse = z.object({ asOf: z.string(), tasks: z.array(taskEntrySchema) }).meta({ id: 'TasksResponse' });

export const departmentScoreSchema = z
  .object({
    department: z.string(),
    ledTaskIds: z.array(z.number().int()),
    cooperatingTaskIds: z.array(z.number().int()),
    completed: z.number().int(),
    overdue: z.number().int(),
    blocked: z.number().int(),
  })
  .meta({ id: 'DepartmentScore' });

export const departmentsResponse = z.object({ asOf: z.string(), departments: z.array(departmentScoreSchema) }).meta({ id: 'DepartmentsResponse' });

/** GET /targets/{id}/decomposition: the change of a zone-share target between two days. */
export const decompositionQuery = (now?: () => Date) =>
  z
    .object({ from: asOfDate(now), to: asOfDate(now) })
    .strict()
    .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] });

const firmChangesSchema = z.object({ gained: z.number().int(), lost: z.number().int() });

export const decompositionResponse = z
  .object({
    target: z.string(),
    scope: z.string(),
    from: z.string(),
    to: z.string(),
    zone: z.object({ from: z.number().int(), to: z.number().int() }).meta({ description: 'Qualified firms in the zone (q_z) on from and to' }),
    district: z.object({ from: z.number().int(), to: z.number().int() }).meta({ description: 'Qualified firms in the district (q_d) on from and to' }),
    share: z.object({ from: z.number().nullable(), to: z.number().nullable() }),
    delta: z.number().nullable().meta({ description: 's(to) − s(from)' }),
    numeratorEffect: z.number().nullable().meta({ description: '(q_z(to) − q_z(from)) / q_d(to): qualified firms gained or lost in the zone' }),
    denominatorEffect: z.number().nullable().meta({ description: 'q_z(from) · (1/q_d(to) − 1/q_d(from)): the district total; the two effects sum to delta' }),
    zoneFirms: firmChangesSchema.optional().meta({ description: 'Qualified firms that entered / left the zone' }),
    districtFirms: firmChangesSchema.optional().meta({ description: 'Qualified firms that entered / left the district' }),
  })
  .meta({ id: 'ShareDecomposition' });

/** POST /targets body: one target definition (packages/targets validates it). */
export const targetDefinitionBody = targetDefinitionSchema.meta({
  id: 'TargetDefinition',
  description: 'An operator target: KPI (+ labels), scope, baseline date (and optional baseline value), target value or multiplier, due date, method linear-v1',
  examples: [
    {
      id: 'QL_QUALIFIED_2026',
      kpi: 'qualified_firms',
      scope: 'zone:QL',
      baselineDate: '2024-12-31',
      target: { multiplier: 1.3 },
      due: '2026-12-31',
      method: 'linear-v1',
    },
  ],
});

export const targetAuditEntrySchema = z
  .object({
    targetId: z.string(),
    action: z.enum(['create', 'delete']),
    actor: z.string().meta({ description: 'Prefix of the token that made the change' }),
    actorLabel: z.string().nullable().meta({ description: 'Label of that token, if any' }),
    at: z.string().meta({ description: 'When (ISO 8601, UTC)', format: 'date-time' }),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'TargetAuditEntry' });

export const targetAuditResponse = z.object({ entries: z.array(targetAuditEntrySchema) }).meta({ id: 'TargetAuditResponse' });
