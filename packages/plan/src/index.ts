export * from './periods';
export * from './departments';
export * from './tasks';
export * from './status';
