export { CHECKS } from './catalog';
export { buildReport, runChecks, statusOf } from './run';
export * from './types';
export { ClusterView, viewOf } from './view';
