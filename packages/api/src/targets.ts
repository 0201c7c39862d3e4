// Request and response schemas of the target and plan-task routes (api.md "Targets", "Tasks").
// The alerting service validates requests with them; the gateway documents them in OpenAPI.
import { z } from 'zod';
import { asOfDate } from './kpis';

export const TARGET_STATUS_VALUES = ['missed', 'achieved', 'regressing', 'on_track', 'at_risk', 'lagging'] as const;
export const TASK_STATUS_VALUES = ['not_started', 'in_progress', 'completed', 'blocked'] as const;

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
    status: z.enum(TARGET_STATUS_VALUES).nullable(),
    gapToPath: z.number().nullable().meta({ description: 'E − A' }),
    firmsNeeded: z
      .object({ toPath: z.number().int().nullable(), toTarget: z.number().int().nullable() })
      .optional()
      .meta({ description: 'Zone-share targets: additional qualified firms in the zone to reach the path and the target' }),
  })
  .meta({ id: 'TargetJudgement' });

export const targetsResponse = z.object({ asOf: z.string(), targets: z.array(targetJudgementSchema) }).meta({ id: 'TargetsResponse' });

export const taskEntrySchema = z
  .object({
    id: z.number().int(),
    section: z.string(),
    action: z.string(),
    name: z.string(),
    lead: z.array(z.string()).meta({ description: 'Lead departments, normalised' }),
    cooperating: z.array(z.string()).meta({ description: 'Cooperating departments, normalised' }),
    status: z.enum(TASK_STATUS_VALUES).nullable().meta({ description: 'Latest report whose period ended on or before asOf; null without one' }),
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
