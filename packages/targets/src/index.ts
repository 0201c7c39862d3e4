export {
  DEFAULT_TARGETS,
  parseTargetDefinitions,
  TARGET_METHODS,
  TargetDefinitionError,
  type TargetDefinition,
  type TargetMethod,
} from './definitions';
export { firmsNeeded } from './firms-needed';
export { olsForecast, type SeriesPoint } from './forecast';
export {
  FLAGGED_STATUSES,
  judgeTarget,
  linearV1Status,
  TARGET_STATUSES,
  type KpiReader,
  type TargetJudgement,
  type TargetKpiRef,
  type TargetStatus,
} from './judge';
export { DEFAULT_FLAG_POLICY, nextFlag, UNFLAGGED, type FlagChange, type FlagPolicy, type FlagState } from './flags';
