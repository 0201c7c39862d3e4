export * from './catalogue';
export * from './days';
export {
  FOREVER,
  certificateValidDays,
  certificateValidOn,
  compareTimeThenId,
  groupEventsByFirm,
  resolveFirmHistory,
  type Certificate,
  type DayInterval,
  type FirmHistory,
  type FirmState,
} from './history';
export { contributionsOfHistory, deriveFirmContributions, unionOfIntervals, type SeriesInterval } from './contributions';
export { FenwickForest } from './fenwick';
export { DEFAULT_FIRST_DATE, DEFAULT_LAST_DATE, KpiEngine, type ExplainRow, type KpiEngineOptions, type Turnover } from './engine';
export * from './actions';
export * from './what-if';
