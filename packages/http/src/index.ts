export * from './app';
export * from './metrics';
export * from './problem';
export * from './lifecycle';
export * from './internal-auth';
