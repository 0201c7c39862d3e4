// Targets are configuration, not code (kpis.md "Targets"): an operator adds one — KPI, scope,
// baseline date, target value or multiplier, due date — without a release. This validates them.
import { dayNumber, DEFAULT_FIRST_DATE, DEFAULT_LAST_DATE, KPI_IDS } from '@siliconalley/kpi-engine';
import { z } from 'zod';
import defaults from './default-targets.json';

/** Judgement methods; stored with every status so a later method never silently rewrites history. */
export const TARGET_METHODS = ['linear-v1'] as const;
export type TargetMethod = (typeof TARGET_METHODS)[number];

export interface TargetDefinition {
  id: string;
  description?: string;
  /** KPI id: one of kpis.md, or another series the caller's reader knows (e.g. `tasks_completed`). */
  kpi: string;
  scope: string;
  kind?: string;
  industry?: string;
  within?: number;
  baselineDate: string;
  /** When absent, the baseline is the KPI as of baselineDate. */
  baselineValue?: number;
  target: { value: number } | { multiplier: number };
  due: string;
  method: TargetMethod;
}

export class TargetDefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid target definitions:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TargetDefinitionError';
  }
}

/**
 * One grammar for target ids, wherever one is taken (a definition, the path of GET/DELETE
 * /targets/{id}): an upper-case letter, then up to 63 upper-case letters, digits or `_`. Such an id is
 * one URL path segment as it is (no `.` or `..` segment, nothing to encode), a Prometheus label value
 * and a file name; the plan's (T6_ZONE_SHARE, T32_SERVICE_PLATFORMS, TASKS_COMPLETED) are of it.
 */
export const TARGET_ID_PATTERN = '^[A-Z][A-Z0-9_]{0,63}$';
const TARGET_ID = new RegExp(TARGET_ID_PATTERN);
export const TARGET_ID_INSTRUCTION = 'must be an upper-case letter followed by up to 63 upper-case letters, digits or _, e.g. QL_QUALIFIED_2026';

export const isTargetId = (value: unknown): value is string => typeof value === 'string' && TARGET_ID.test(value);

const isoDate = z.string().refine(
  (value) => {
    try {
      dayNumber(value);
      // Days the KPI engine covers: a target outside them could never be judged.
      return value >= DEFAULT_FIRST_DATE && value <= DEFAULT_LAST_DATE;
    } catch {
      return false;
    }
  },
  { error: `must be a calendar date YYYY-MM-DD between ${DEFAULT_FIRST_DATE} and ${DEFAULT_LAST_DATE}` },
);

const definition = z
  .strictObject({
    id: z.string().regex(TARGET_ID, { error: TARGET_ID_INSTRUCTION }),
    description: z.string().optional(),
    /** A KPI of kpis.md, or `tasks_completed` (plan tasks completed, counted by the alerting service). */
    kpi: z.enum([...KPI_IDS, 'tasks_completed'], { error: `must be one of ${[...KPI_IDS, 'tasks_completed'].join(', ')}` }),
    scope: z.string().regex(/^(district|zone:[A-Za-z0-9_-]+)$/, { error: 'must be "district" or "zone:<ID>"' }),
    kind: z
      .string()
      .regex(/^[A-Z][A-Z_]*$/, { error: 'must be a kind of events.md, e.g. HNTE' })
      .optional(),
    industry: z
      .string()
      .regex(/^[A-Z][A-Z_]*$/, { error: 'must be an industry of events.md, e.g. AI, or UNCLASSIFIED' })
      .optional(),
    within: z.number().int().positive().optional(),
    baselineDate: isoDate,
    baselineValue: z.number().optional(),
    target: z.union([z.strictObject({ value: z.number() }), z.strictObject({ multiplier: z.number() })], {
      error: 'target must be { "value": number } or { "multiplier": number }',
    }),
    due: isoDate,
    method: z.enum(TARGET_METHODS),
  })
  .refine(
    (t) => {
      try {
        return dayNumber(t.baselineDate) < dayNumber(t.due);
      } catch {
        return true; // the bad date is reported on its own field
      }
    },
    { error: 'due must be after baselineDate', path: ['due'] },
  );

/** The schema of one target definition (documents the POST /api/v1/targets body in OpenAPI). */
export const targetDefinitionSchema = definition;

/** Validates a JSON array of target definitions; throws TargetDefinitionError listing every problem. */
export function parseTargetDefinitions(json: unknown): TargetDefinition[] {
  const parsed = z.array(definition, { error: 'target definitions must be a JSON array' }).safeParse(json);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const [index, ...rest] = issue.path;
        const where = index === undefined ? 'targets' : `targets[${String(index)}]${rest.map((k) => `.${String(k)}`).join('')}`;
        return `${where}: ${issue.message}`;
      });
  if (parsed.success) {
    const seen = new Set<string>();
    for (const { id } of parsed.data) {
      if (seen.has(id)) problems.push(`targets: duplicate id ${JSON.stringify(id)}`);
      seen.add(id);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new TargetDefinitionError(problems);
  return parsed.data as TargetDefinition[];
}

/** The plan's three targets (kpis.md "Targets"). */
export const DEFAULT_TARGETS: readonly TargetDefinition[] = parseTargetDefinitions(defaults);
