import type { Logger } from '@aws-lambda-powertools/logger';
import { renderFailureRecovered } from '../notify/checker-health';
import type { MessageSink } from '../notify/types';
import type { FunctionRole, StateStore } from '../state/types';
import { describeError, recordFailedRun } from './failure-record';

export { describeError } from './failure-record';

export interface FailureContext {
  cluster: string;
  role: FunctionRole;
  state: StateStore;
  sink: MessageSink;
  logger: Logger;
  now: () => Date;
  /** A nightly run: a failure still going on gets its reminder then. */
  nightly: boolean;
  /** The Lambda request id (absent outside Lambda). */
  requestId?: string;
}

/**
 * The one catch-log-publish-rethrow both handlers share. A failure is notified once when the
 * function starts failing (critical), reminded in the nightly run (warning, email only), and its
 * recovery is notified once (info). The error is rethrown as it is, cause and all, so the
 * invocation fails: its error metric counts it, and Lambda hands it to the failure reporter, which
 * reports what this wrapper could not (the table or the topic unreachable from here; a timeout, an
 * out-of-memory kill or an init error, which never reach this code) and nothing it already did.
 */
export async function reportingFailures<T>(ctx: FailureContext, body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (error) {
    const text = describeError(error);
    ctx.logger.error(`${ctx.role} failed`, { cluster: ctx.cluster, error: text });
    await notifyFailure(ctx, text).catch((notifyError: unknown) =>
      ctx.logger.error('could not notify the failure: the failure reporter will', {
        cluster: ctx.cluster,
        error: describeError(notifyError),
      }),
    );
    throw error;
  }
  // The run itself succeeded: failing to say "recovered" is logged, and said by the next run.
  await notifyRecovery(ctx).catch((error: unknown) =>
    ctx.logger.error('could not notify the recovery', { cluster: ctx.cluster, error: describeError(error) }),
  );
  return result;
}

/**
 * Publishes only what the stored record says is new, and remembers it (deliverFailureRecord). When the
 * record cannot be read, nothing is published here: a message per failed run would follow, and the
 * reporter, outside the cluster's network with its own role, reads the table and reports it once.
 */
async function notifyFailure(ctx: FailureContext, text: string): Promise<void> {
  await recordFailedRun(
    ctx.state,
    {
      cluster: ctx.cluster,
      role: ctx.role,
      error: text,
      at: ctx.now().toISOString(),
      nightly: ctx.nightly,
      ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
    },
    (message) => ctx.sink.publish(message),
  );
}

/** After a success: one "recovered" message if the function was failing. */
async function notifyRecovery(ctx: FailureContext): Promise<void> {
  const previous = await ctx.state.loadFailure(ctx.cluster, ctx.role);
  if (!previous) return;
  await ctx.sink.publish(renderFailureRecovered(ctx.cluster, ctx.role, previous, ctx.now().toISOString()));
  await ctx.state.saveFailure(ctx.cluster, ctx.role, undefined);
}
