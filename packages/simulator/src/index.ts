export { simulate, simulateCohorts, checkOptions, COHORT_FIRMS, type SimulationOptions, type Cohort } from './simulate';
export type { SimulatedRecord, Disposition } from './records';
export { RATES, usccOf } from './firms';
export { tally, count, emptyTally, type Tally } from './tally';
