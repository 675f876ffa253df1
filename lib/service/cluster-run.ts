import { type PlacementEnv, readPlacementEnv } from '../config/function-env';
import type { ClusterSettings, PlacementSettings } from '../config/placement-settings';
import { clusterNamed, EventError } from './events';

/** Which cluster one invocation is about, and everything its run may do but the secret. */
export interface ClusterRun {
  cluster: string;
  /** The cluster's settings, from the deployment's settings document (never from the event). */
  settings: ClusterSettings;
  placement: string;
  resources: PlacementEnv;
}

/**
 * A placement's functions serve the clusters of their settings document, and take nothing from an
 * event but a served cluster's name. An event naming any other cluster is refused before anything
 * is read or sent (its role could not read that cluster's secret or rows anyway); the rest of the
 * event is parsed by the handler, inside its failure reporting, before the secret is read.
 */
export function resolveRun(env: NodeJS.ProcessEnv, document: PlacementSettings, event: unknown): ClusterRun {
  const resources = readPlacementEnv(env);
  const cluster = clusterNamed(event);
  // hasOwn: an event naming "constructor" must not find Object's prototype.
  if (cluster === undefined || !Object.hasOwn(document.clusters, cluster))
    throw new EventError(
      `event for ${cluster === undefined ? 'no valid cluster name' : `cluster ${cluster}`} refused by the functions of placement ${document.placement}, which serve ${Object.keys(document.clusters).join(', ')}`,
    );
  return {
    cluster,
    settings: document.clusters[cluster] as ClusterSettings,
    placement: document.placement,
    resources,
  };
}
