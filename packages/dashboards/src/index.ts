export * from './model';
export * from './render';
export * from './boards';
export * from './files';
