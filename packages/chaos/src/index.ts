export * from './plan';
export * from './log';
export * from './services';
export * from './readback';
export * from './compare';
export * from './run';
export * from './verify';
export * from './groups';
