import { awsCheckHandler } from '../lib/service/aws/check';

/**
 * Invoked by each cluster's schedules with `{ cluster, kind }` (a placement's function serves many
 * clusters, one invocation each). Wiring only: lib/service/aws/check.ts.
 */
export const handler = awsCheckHandler(process.env);
