export * from './stack';
export * from './schemathesis';
export * from './run';
