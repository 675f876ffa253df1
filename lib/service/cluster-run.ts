import type { Logger } from '@aws-lambda-powertools/logger';
import { type PlacementEnv, readPlacementEnv } from '../config/function-env';
import type { ClusterSettings, PlacementSettings } from '../config/placement-settings';
import type { MessageSink } from '../notify/types';
import type { FunctionRole, StateStore } from '../state/types';
import { clusterNamed, EventError } from './events';
import type { FailureContext } from './failure-report';
import { type Credentials, type LambdaContext, observeOptionsFrom } from './lambda-runtime';

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

/** What a handler needs to start one cluster's run: the edges it writes to. */
export interface RunDeps {
  env: NodeJS.ProcessEnv;
  settings: () => PlacementSettings;
  credentials: (secretArn: string, options?: { fresh?: boolean }) => Promise<Credentials>;
  state: (tableName: string) => StateStore;
  sink: (topicArn: string) => MessageSink;
  logger: Logger;
}

/**
 * One invocation's run: the cluster resolved from the event (refused as {@link resolveRun} says),
 * its state and sink, how its failures are reported, and its observe options with the secret read
 * (again, `fresh`, after the cluster refused it).
 */
export function startRun(
  deps: RunDeps,
  event: unknown,
  role: FunctionRole,
  now: () => Date,
  context?: LambdaContext,
) {
  const run = resolveRun(deps.env, deps.settings(), event);
  const state = deps.state(run.resources.tableName);
  const sink = deps.sink(run.resources.topicArn);
  const failure: FailureContext = {
    cluster: run.cluster,
    role,
    state,
    sink,
    logger: deps.logger,
    now,
    nightly: (event as { kind?: unknown }).kind === 'nightly',
    ...(context ? { requestId: context.awsRequestId } : {}),
  };
  const observeOptions = async (fresh = false) =>
    observeOptionsFrom(run.cluster, run.settings, await deps.credentials(run.settings.secretArn, { fresh }));
  return { ...run, state, sink, failure, observeOptions };
}
