// Flags with hysteresis (kpis.md "Progress and status"): a target that turns lagging, regressing or
// missed is flagged at once; counts of tens of firms move in steps, so the flag must not flap on one
// firm back and forth. It clears only when the status has stayed out of the flagged statuses for
// `clearAfter` consecutive evaluations, or at once when the recovery is unmistakable: the target is
// achieved, or the ratio has moved past the lagging threshold (0.5) by at least `clearMargin`.
// Evaluations with an unknown status (no KPI value) change nothing.
import { FLAGGED_STATUSES, type TargetStatus } from './judge';

export interface FlagPolicy {
  /** Consecutive recovered evaluations that clear a flag. */
  clearAfter: number;
  /** A recovered ratio ≥ 0.5 + clearMargin clears at once. */
  clearMargin: number;
}

export const DEFAULT_FLAG_POLICY: FlagPolicy = { clearAfter: 3, clearMargin: 0.1 };

/** The lagging threshold of linear-v1 (r < 0.5 is lagging). */
const LAGGING_BELOW = 0.5;

/** Why a plan task is flagged (kpis.md "Plan tasks"): blocked at once, overdue when no report is in. */
export type TaskFlagReason = 'blocked' | 'overdue';

export interface FlagState {
  flagged: boolean;
  /** The status (targets) or reason (plan tasks) that raised the flag (while flagged). */
  raisedBy: TargetStatus | TaskFlagReason | null;
  /** Consecutive recovered evaluations since the last flagged one (while flagged). */
  recoveredFor: number;
}

export const UNFLAGGED: FlagState = { flagged: false, raisedBy: null, recoveredFor: 0 };

export type FlagChange = 'raised' | 'cleared' | null;

/** The next flag state after one evaluation, and whether the flag changed. Pure. */
export function nextFlag(
  state: FlagState,
  judgement: { status: TargetStatus | null; ratio: number | null },
  policy: FlagPolicy = DEFAULT_FLAG_POLICY,
): { state: FlagState; change: FlagChange } {
  const { status, ratio } = judgement;
  if (status === null) return { state, change: null };
  if (FLAGGED_STATUSES.includes(status)) {
    return { state: { flagged: true, raisedBy: state.flagged ? state.raisedBy : status, recoveredFor: 0 }, change: state.flagged ? null : 'raised' };
  }
  if (!state.flagged) return { state, change: null };
  const recoveredFor = state.recoveredFor + 1;
  const clear = status === 'achieved' || recoveredFor >= policy.clearAfter || (ratio !== null && ratio >= LAGGING_BELOW + policy.clearMargin);
  return clear ? { state: UNFLAGGED, change: 'cleared' } : { state: { ...state, recoveredFor }, change: null };
}

/**
 * The next flag state of a plan task. A task's overdue and blocked are facts of its reports (no
 * counts moving one firm at a time), so there is no hysteresis: the flag rises when the task
 * becomes blocked or overdue and clears when it is neither; `raisedBy` follows the current reason
 * (blocked before overdue) without a new change. Pure.
 */
export function nextTaskFlag(state: FlagState, task: { overdue: boolean; blocked: boolean }): { state: FlagState; change: FlagChange } {
  const reason: TaskFlagReason | null = task.blocked ? 'blocked' : task.overdue ? 'overdue' : null;
  if (reason === null) return state.flagged ? { state: UNFLAGGED, change: 'cleared' } : { state, change: null };
  return { state: { flagged: true, raisedBy: reason, recoveredFor: 0 }, change: state.flagged ? null : 'raised' };
}
