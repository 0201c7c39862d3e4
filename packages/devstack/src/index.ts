// The local stack as a library, for integration tests and tools.
export * from './layout';
export * from './paths';
export * from './process';
export * from './services';
export * from './internal-secret';
export * from './stack';
export * from './topics';
export * from './publish';
export * from './test-env';
export * from './readback';
export * from './drained';
export * from './infra';
export * from './ports';
export * from './backend';
