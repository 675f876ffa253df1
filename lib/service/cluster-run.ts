import * as z from 'zod/mini';
import {
  type ClusterFunctionEnv,
  type ClusterSettings,
  clusterRunOf,
  readFunctionEnv,
  readPlacementEnv,
} from '../config/function-env';
import { clusterSettingsSchema, EventError } from './events';

/** Which cluster one invocation is about, and everything its run needs but the secret. */
export interface ClusterRun {
  env: ClusterFunctionEnv;
  /** The settings the event carried (a placement's function), passed on to the remediation function. */
  settings?: ClusterSettings;
  /** The placement whose function runs (absent for a one-cluster function configured by its environment). */
  placement?: string;
}

const placementEventSchema = z.object({
  cluster: z.string().check(z.minLength(1)),
  settings: clusterSettingsSchema,
});

/**
 * A placement's function serves the clusters its environment lists, each invocation carrying its
 * cluster's settings (from the schedule's input, or from the check that started a remediation run).
 * An event without settings is for a one-cluster function, configured by its environment.
 * An event for a cluster the placement does not serve is refused before anything is read or sent:
 * its role could not read that cluster's secret or rows anyway.
 */
export function resolveRun(env: NodeJS.ProcessEnv, event: unknown): ClusterRun {
  if (typeof event !== 'object' || event === null || !('settings' in event))
    return { env: readFunctionEnv(env) };
  const placement = readPlacementEnv(env);
  const parsed = placementEventSchema.safeParse(event);
  if (!parsed.success)
    throw new EventError(
      `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      { cause: parsed.error },
    );
  const { cluster, settings } = parsed.data;
  if (!placement.clusters.includes(cluster))
    throw new EventError(
      `event for cluster ${cluster} reached the functions of placement ${placement.placement}, which serve ${placement.clusters.join(', ')}`,
    );
  return { env: clusterRunOf(placement, cluster, settings), settings, placement: placement.placement };
}
