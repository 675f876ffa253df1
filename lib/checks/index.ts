export { CHECKS } from './catalog';
export { defineCheck, stamp } from './define';
export { buildReport, runChecks, statusOf } from './run';
export * from './types';
