// Shared benchmark helpers: where benches run, what they publish, the raw baselines they compare
// with, per-process memory, and the one results file with its summary table.
export * from './stats';
export * from './results';
export * from './stack';
export * from './records';
export * from './publish';
export * from './baseline';
export * from './processes';
