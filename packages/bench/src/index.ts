// Shared benchmark helpers: where benches run, what they publish, the raw baselines they compare
// with, per-process memory, the one results file with its summary table, and FerretDB instances
// on either backend with event-store documents (the backend bench).
export * from './stats';
export * from './results';
export * from './stack';
export * from './records';
export * from './publish';
export * from './baseline';
export * from './processes';
export * from './stored-events';
export * from './ferretdb';
export * from './backend-comparison';
