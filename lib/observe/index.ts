export { type ConnectionOptions, classifyError, splitAddress } from './connection';
export { slotsThatMatter } from './key-counts';
export { dialAddress, type ObserveOptions, observeCluster } from './observe';
export * from './types';
