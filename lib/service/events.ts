// zod/mini: the Lambda bundles carry these few schemas without classic zod and its locales (~440 KB).
import * as z from 'zod/mini';
import '../state/zod-messages';
import { CHECK_KINDS } from '../config/function-env';

const clusterName = z.string().check(z.minLength(1), z.maxLength(64));

/**
 * What a schedule sends the check function: the cluster and the kind of run. Strict: a field the
 * schedule does not send (seeds, a secret, a mode...) is refused, never ignored, so nobody mistakes
 * it for a setting; `kind` defaults to `frequent` for an event made by hand.
 */
export const checkEventSchema = z.strictObject({
  cluster: clusterName,
  kind: z._default(z.enum(CHECK_KINDS), 'frequent'),
});
export type CheckEventInput = z.infer<typeof checkEventSchema>;

/** What the check function sends the remediation function: the cluster, nothing else. */
export const remediationEventSchema = z.strictObject({ cluster: clusterName });
export type RemediationEvent = z.infer<typeof remediationEventSchema>;

/** An event that does not match its schema, or names a cluster the function does not serve. */
export class EventError extends Error {
  override readonly name = 'EventError';
}

/** Parses a Lambda event (`unknown` at the edge) against its schema. */
export function parseEvent<T>(schema: z.ZodMiniType<T>, event: unknown): T {
  const result = schema.safeParse(event);
  // No `cause`: the message says every issue, and zod's own would repeat them as a JSON dump.
  if (!result.success)
    throw new EventError(
      `invalid event: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}

/** The cluster an event names, if it names one in a form worth reporting a refusal to. */
export function clusterNamed(event: unknown): string | undefined {
  const cluster = (event as { cluster?: unknown } | null)?.cluster;
  return typeof cluster === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(cluster) ? cluster : undefined;
}
