import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import '../state/zod-messages';
import { METRICS, readPlacementEnv } from '../config/function-env';
import type { DeploymentDocument } from '../config/placement-settings';
import type { MessageSink } from '../notify/types';
import type { StateStore } from '../state/types';
import { clusterNamed, parseEvent } from './events';
import { recordFailedRun, withoutAccountDetails } from './failure-record';

/**
 * What Lambda hands an on-failure destination for an asynchronous invocation that failed for good
 * (its own fields only; Lambda may add others). `responsePayload` is absent when the function never
 * ran (the event aged out in Lambda's queue).
 */
const invocationRecordSchema = z.object({
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string(),
    condition: z.string(),
  }),
  requestPayload: z.optional(z.unknown()),
  responsePayload: z.optional(z.unknown()),
});
export type InvocationRecord = z.infer<typeof invocationRecordSchema>;

export interface FailureReporterDeps {
  env: NodeJS.ProcessEnv;
  /** Which function serves which placement and cluster (the deployment's settings layer). */
  document: () => DeploymentDocument;
  state: (tableName: string) => StateStore;
  sink: (topicArn: string) => MessageSink;
  logger: Logger;
  /** `CheckRan` for a failed check it accounted for: the cluster's dead-man switch need not page too. */
  metrics: Metrics;
  now?: () => Date;
}

export interface FailureReport {
  /** The cluster the failure was reported for, when it could be attributed to one. */
  cluster?: string;
  /** What was done: published a message, only counted the failure, or nothing (and why). */
  outcome: 'published' | 'counted' | 'already-reported' | 'not-attributable';
  error: string;
}

/**
 * The failure reporter: every asynchronous invocation of a placement's check or remediation function
 * that fails for good reaches it (Lambda's on-failure destination), whatever killed it: an error the
 * handler rethrew, an init error, a bad environment or settings document, a timeout, an out-of-memory
 * kill, an event that aged out unrun. It runs outside the clusters' network with a role of its own,
 * so it reaches the table and the topic when the failed function could not. It reports the cluster's
 * checker as failing with the same record and message as the handler's own wrapper
 * (failure-record.ts), once per outage: a failure the wrapper already recorded under the same request
 * id is not counted again, and a later one of the same outage is only counted (nightly: reminded).
 * A failure it cannot attribute to a cluster the function serves is logged; the function's error
 * alarm covers it. When the table cannot be read it throws (Lambda retries, then the dead-letter
 * queue), rather than publish a message per failed run. A failed check it accounted for counts as
 * a check that ran (`CheckRan`): its people were told, so the cluster's dead-man switch stays quiet;
 * it pages only when neither the check nor this reporter said anything.
 */
export function makeFailureReporter(deps: FailureReporterDeps) {
  const now = deps.now ?? (() => new Date());
  return async (record: unknown): Promise<FailureReport> => {
    const resources = readPlacementEnv(deps.env);
    const { requestContext, requestPayload, responsePayload } = parseEvent(invocationRecordSchema, record);
    const error = errorOf(requestContext.condition, responsePayload);
    const document = deps.document();
    const functionName = /:function:([^:]+)/.exec(requestContext.functionArn)?.[1] ?? '';
    const fn = Object.hasOwn(document.functions, functionName) ? document.functions[functionName] : undefined;
    const cluster = clusterNamed(requestPayload);
    const placed =
      cluster !== undefined && Object.hasOwn(document.clusters, cluster)
        ? document.clusters[cluster]?.placement
        : undefined;
    if (!fn || !cluster || placed !== fn.placement) {
      deps.logger.error('failed invocation not attributable to a cluster this function serves', {
        function: functionName,
        cluster,
        error,
      });
      return { outcome: 'not-attributable', error };
    }
    const state = deps.state(resources.tableName);
    const outcome = await recordFailedRun(
      state,
      {
        cluster,
        role: fn.role,
        error,
        at: now().toISOString(),
        nightly: (requestPayload as { kind?: unknown }).kind === 'nightly',
        requestId: requestContext.requestId,
      },
      (message) => deps.sink(resources.topicArn).publish(message),
    );
    if (outcome !== 'already-reported')
      deps.logger.warn('failed invocation reported', { cluster, role: fn.role, error });
    if (fn.role === 'check') {
      deps.metrics.clearDefaultDimensions();
      deps.metrics.addDimension(METRICS.cluster, cluster);
      deps.metrics.addMetric(METRICS.checkRan, MetricUnit.Count, 1);
      deps.metrics.publishStoredMetrics();
    }
    return { cluster, outcome, error };
  };
}

/** What killed the invocation, for a person: Lambda's error type and message, without ids or ARNs. */
function errorOf(condition: string, response: unknown): string {
  if (condition === 'EventAgeExceeded')
    return "the run never started: its event waited in Lambda's queue past its maximum age (throttled, or the function could not start)";
  const { errorType, errorMessage } = (response ?? {}) as { errorType?: unknown; errorMessage?: unknown };
  const message = typeof errorMessage === 'string' ? errorMessage.replace(/^RequestId: \S+ /, '') : '';
  const type = typeof errorType === 'string' ? errorType : 'Error';
  const text = message ? `${type}: ${message}` : `${type} (${condition})`;
  return withoutAccountDetails(text).slice(0, 600);
}
