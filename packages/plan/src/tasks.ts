// The plan's 34 tasks (annex of the action plan), from the bundled copy of shared/spec/tasks.json.
// The data file stays byte-identical to the spec; its typos are fixed here, on load.
import planFile from './tasks.json';
import { normaliseDepartment } from './departments';

export interface PlanTask {
  /** 1..34 */
  id: number;
  section: string;
  /** The special action (专项行动), typo-corrected. */
  action: string;
  name: string;
  content: string;
  /** Lead departments (责任部门), normalised, without repeats. */
  lead: readonly string[];
  /** Cooperating departments (配合部门), normalised, without repeats; may include a lead. */
  cooperating: readonly string[];
  reference: string;
}

export const PLAN_TITLE: string = planFile.plan;

/** Typos in the annex's special-action names (kpis.md "Plan tasks"). */
const ACTION_ALIASES: Readonly<Record<string, string>> = {
  创党建联促共进专项行动: '科创党建联促共进专项行动',
};

export function normaliseAction(action: string): string {
  const tidied = action.normalize('NFKC').trim();
  return ACTION_ALIASES[tidied] ?? tidied;
}

const distinctDepartments = (names: readonly string[]): string[] => [...new Set(names.map(normaliseDepartment))];

export const PLAN_TASKS: readonly PlanTask[] = Object.freeze(
  planFile.tasks.map(
    (t): PlanTask =>
      Object.freeze({
        id: t.id,
        section: t.section,
        action: normaliseAction(t.action),
        name: t.name,
        content: t.content,
        lead: Object.freeze(distinctDepartments(t.lead)),
        cooperating: Object.freeze(distinctDepartments(t.cooperating)),
        reference: t.reference,
      }),
  ),
);

export const TASK_COUNT = PLAN_TASKS.length;

const TASKS_BY_ID: ReadonlyMap<number, PlanTask> = new Map(PLAN_TASKS.map((t) => [t.id, t]));

export function taskById(id: number): PlanTask | undefined {
  return TASKS_BY_ID.get(id);
}

export function isTaskId(id: number): boolean {
  return TASKS_BY_ID.has(id);
}

const ALL_DEPARTMENTS: readonly string[] = Object.freeze([...new Set(PLAN_TASKS.flatMap((t) => [...t.lead, ...t.cooperating]))]);

/** Every normalised department named by some task, lead or cooperating, in order of first mention. */
export function departments(): readonly string[] {
  return ALL_DEPARTMENTS;
}

/** Whether a department (as sent; normalised here) leads or cooperates on the task. */
export function isDepartmentOnTask(taskId: number, department: string): boolean {
  const task = taskById(taskId);
  if (!task) return false;
  const name = normaliseDepartment(department);
  return task.lead.includes(name) || task.cooperating.includes(name);
}
