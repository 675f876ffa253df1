import { awsFailureReporter } from '../lib/service/aws/report-failure';

/**
 * Lambda's on-failure destination of every placement's check and remediation function: reports the
 * failed invocation's cluster as failing, once. Wiring only: lib/service/aws/report-failure.ts.
 */
export const handler = awsFailureReporter(process.env);
