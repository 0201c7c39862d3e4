export * from './kpis';
export * from './problem';
export * from './indicator-client';
export * from './indicator-partials';
export * from './targets';
export * from './assessments';
export * from './actions';
