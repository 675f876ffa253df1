export * from './function-env';
export * from './load';
export * from './schema';
