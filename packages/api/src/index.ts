export * from './kpis';
export * from './problem';
