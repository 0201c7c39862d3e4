export * from './kpis';
export * from './problem';
export * from './indicator-client';
export * from './targets';
export * from './assessments';
