// zod/mini: the Lambda bundles carry these few schemas without classic zod and its locales (~440 KB).
import * as z from 'zod/mini';
import '../state/zod-messages';
import { CHECK_KINDS, type CheckEvent, type ClusterSettings, TLS_MODES } from '../config/function-env';
import { REMEDIATION_MODES } from '../guard/modes';
import { REMEDY_IDS } from '../remedies/ids';

/** A cluster's settings as its schedules carry them to a placement's functions (lib/config/function-env.ts). */
export const clusterSettingsSchema = z.strictObject({
  seeds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  secretArn: z.string().check(z.minLength(1)),
  tls: z.enum(TLS_MODES),
  mode: z.enum(REMEDIATION_MODES),
  allow: z.array(z.enum(REMEDY_IDS)),
  settleMs: z.int().check(z.positive(), z.maximum(600_000)),
});
const _sameSettings: (parsed: z.infer<typeof clusterSettingsSchema>) => ClusterSettings = (parsed) => parsed;
void _sameSettings;

/** What a schedule sends the check function; `kind` defaults to `frequent` for a hand-made test event. */
export const checkEventSchema = z.object({
  cluster: z.string().check(z.minLength(1)),
  kind: z._default(z.enum(CHECK_KINDS), 'frequent'),
  settings: z.optional(clusterSettingsSchema),
});

/** What the check function sends the remediation function. */
export const remediationEventSchema = z.object({
  cluster: z.string().check(z.minLength(1)),
  settings: z.optional(clusterSettingsSchema),
});
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
