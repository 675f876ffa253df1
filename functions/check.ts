import type { Context } from 'aws-lambda';
import type { CheckEvent } from '../lib/config/function-env';

/** This handler is a placeholder: the stack deploys it, but it does not check anything yet. */
export class HandlerNotWiredError extends Error {
  override readonly name = 'HandlerNotWiredError';
}

/** Invoked by the cluster's schedules with `{ cluster, kind }`. */
export async function handler(event: CheckEvent, context: Context): Promise<never> {
  console.log(
    JSON.stringify({
      level: 'ERROR',
      message: 'check handler not wired',
      event,
      requestId: context.awsRequestId,
    }),
  );
  throw new HandlerNotWiredError(
    `check of ${event.cluster} (${event.kind}): functions/check.ts is a placeholder`,
  );
}
