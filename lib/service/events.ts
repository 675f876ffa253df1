// zod/mini: the Lambda bundles carry these few schemas without classic zod and its locales (~440 KB).
import * as z from 'zod/mini';
import '../state/zod-messages';
import { CHECK_KINDS, type CheckEvent } from '../config/function-env';

/** What a schedule sends the check function; `kind` defaults to `frequent` for a hand-made test event. */
export const checkEventSchema = z.object({
  cluster: z.string().check(z.minLength(1)),
  kind: z._default(z.enum(CHECK_KINDS), 'frequent'),
});

/** What the check function sends the remediation function. */
export const remediationEventSchema = z.object({ cluster: z.string().check(z.minLength(1)) });
export type RemediationEvent = z.infer<typeof remediationEventSchema>;

/** An event that does not match its schema, or that was sent to another cluster's function. */
export class EventError extends Error {
  override readonly name = 'EventError';
}

/** Parses a Lambda event (`unknown` at the edge) for the function of `cluster`. */
export function parseEvent<T extends { cluster: string }>(
  schema: z.ZodMiniType<T>,
  event: unknown,
  cluster: string,
): T {
  const result = schema.safeParse(event);
  if (!result.success)
    throw new EventError(
      `invalid event: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      { cause: result.error },
    );
  if (result.data.cluster !== cluster)
    throw new EventError(`event for cluster ${result.data.cluster} reached the function of ${cluster}`);
  return result.data;
}

export type { CheckEvent };
