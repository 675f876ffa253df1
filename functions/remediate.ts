import type { Context } from 'aws-lambda';

/** This handler is a placeholder: the stack deploys it, but it does not remediate anything yet. */
export class HandlerNotWiredError extends Error {
  override readonly name = 'HandlerNotWiredError';
}

/** Invoked asynchronously by the cluster's check function only. */
export async function handler(event: unknown, context: Context): Promise<never> {
  console.log(
    JSON.stringify({
      level: 'ERROR',
      message: 'remediate handler not wired',
      event,
      requestId: context.awsRequestId,
    }),
  );
  throw new HandlerNotWiredError('functions/remediate.ts is a placeholder');
}
