import { awsRemediateHandler } from '../lib/service/aws/remediate';

/** Invoked asynchronously by the check function only, with `{ cluster }`. Wiring only: lib/service/aws/remediate.ts. */
export const handler = awsRemediateHandler(process.env);
