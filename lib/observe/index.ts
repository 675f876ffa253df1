export { type ConnectionOptions, classifyError, splitAddress } from './connection';
export { credentialsRefused } from './credentials';
export { slotsThatMatter } from './key-counts';
export { dialAddress, type ObserveOptions, observeCluster } from './observe';
export * from './types';
