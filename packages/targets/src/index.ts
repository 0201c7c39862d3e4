export {
  DEFAULT_TARGETS,
  isTargetId,
  parseTargetDefinitions,
  TARGET_ID_INSTRUCTION,
  TARGET_ID_PATTERN,
  TARGET_METHODS,
  TargetDefinitionError,
  targetDefinitionSchema,
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
  targetKpiRef,
  type KpiReader,
  type TargetJudgement,
  type TargetKpiRef,
  type TargetStatus,
} from './judge';
export { DEFAULT_FLAG_POLICY, nextFlag, nextTaskFlag, UNFLAGGED, type FlagChange, type FlagPolicy, type FlagState, type TaskFlagReason } from './flags';
export {
  decomposeShareChange,
  firmChanges,
  type FirmChanges,
  type ShareCounts,
  type ShareDecomposition,
} from './decomposition';
