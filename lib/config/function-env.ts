/**
 * What the stack promises the Lambda handlers in their environment: names and ARNs of the resources
 * they use (CDK tokens, resolved at deploy time), never a secret and never a cluster's settings,
 * which come from the settings document the stack builds into a layer (placement-settings.ts).
 */
export const FUNCTION_ENV = {
  topicArn: 'ALERT_TOPIC_ARN',
  tableName: 'STATE_TABLE_NAME',
  /** Set on the check function only. */
  remediationFunction: 'REMEDIATION_FUNCTION_NAME',
  /** The watchdog: `name=minutes,...`, each cluster with its staleness window. */
  watchdogClusters: 'WATCHDOG_CLUSTERS',
  /** The watchdog: the stack it watches, the dimension of its metrics. */
  deployment: 'DEPLOYMENT_NAME',
} as const;

export const TLS_MODES = ['off', 'verify', 'insecure'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/**
 * Names of a placement's functions, a convention `npm run smoke` relies on as much as the stack:
 * `<stack>-<placement>-check` and `<stack>-<placement>-fix` (at most 64 characters: the config
 * bounds stack and placement names).
 */
export const placementFunctionNames = (stackName: string, placement: string) => ({
  check: `${stackName}-${placement}-check`,
  remediation: `${stackName}-${placement}-fix`,
});

/** What a schedule sends the check function (EventBridge Scheduler target input). */
export const CHECK_KINDS = ['nightly', 'frequent'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];
/** Key schema of the state table: string `pk`/`sk`; items with a past `expiresAt` (epoch seconds) expire. */
export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', timeToLive: 'expiresAt' } as const;

/** The watchdog's own item: a partition key no cluster name can have (names start with a letter). */
export const WATCHDOG_KEY = { pk: '#watchdog', sk: 'stale' } as const;

/**
 * The metric the "no successful check in 26 h" alarm watches. The dimensions must be exactly
 * `{ cluster }`: Powertools Metrics adds a `service` dimension by default, which makes a different
 * metric, so the handler clears the default dimensions before publishing this one.
 */
export const CHECK_SUCCEEDED_METRIC = {
  namespace: 'ClusterDoctor',
  name: 'CheckSucceeded',
  dimension: 'cluster',
} as const;

/** Metrics of the watchdog, dimension `{deployment}`: its alarms page on StaleClusters and on its own silence. */
export const WATCHDOG_METRICS = {
  stale: 'StaleClusters',
  ran: 'WatchdogRan',
  dimension: 'deployment',
} as const;

/** Keys the remediation function saw disappear from the slots it touched (same namespace and dimension). */
export const KEYS_LOST_METRIC = 'KeysLost';

/**
 * Partition keys a cluster's functions may touch in the state table: `<cluster>` or `<cluster>#...`
 * (IAM `dynamodb:LeadingKeys`). Anything else is denied.
 */
export function statePartitionKey(cluster: string, ...parts: string[]): string {
  return [cluster, ...parts].join('#');
}

/** A Lambda started without the environment the stack sets. */
export class FunctionEnvError extends Error {
  override readonly name = 'FunctionEnvError';
}

/** Names of the resources a placement's functions use; CDK tokens are fine. */
export interface PlacementEnv {
  topicArn: string;
  tableName: string;
  /** The check function's only: the remediation function it hands a cluster's run to. */
  remediationFunction?: string;
}

/** The environment the stack sets on a placement's functions: the inverse of {@link readPlacementEnv}. */
export function toPlacementEnv(resources: PlacementEnv): Record<string, string> {
  return {
    [FUNCTION_ENV.topicArn]: resources.topicArn,
    [FUNCTION_ENV.tableName]: resources.tableName,
    ...(resources.remediationFunction
      ? { [FUNCTION_ENV.remediationFunction]: resources.remediationFunction }
      : {}),
  };
}

/**
 * Reads the environment the stack gives a placement's check or remediation function. A hand check,
 * not zod: every problem is named at once.
 */
export function readPlacementEnv(env: NodeJS.ProcessEnv): PlacementEnv {
  const missing = [FUNCTION_ENV.topicArn, FUNCTION_ENV.tableName].filter((name) => !env[name]);
  if (missing.length > 0)
    throw new FunctionEnvError(
      `missing environment: ${missing.map((name) => `${name}: required`).join('; ')}`,
    );
  const remediationFunction = env[FUNCTION_ENV.remediationFunction];
  return {
    topicArn: env[FUNCTION_ENV.topicArn] as string,
    tableName: env[FUNCTION_ENV.tableName] as string,
    ...(remediationFunction ? { remediationFunction } : {}),
  };
}

/** The watchdog's clusters and their windows (`name=minutes,...`). */
export function readWatchdogClusters(value: string | undefined): { name: string; windowMinutes: number }[] {
  const entries = (value ?? '').split(',').filter((entry) => entry !== '');
  const parsed = entries.map((entry) => {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(entry);
    return match ? { name: match[1] as string, windowMinutes: Number(match[2]) } : undefined;
  });
  if (parsed.length === 0 || parsed.some((entry) => entry === undefined))
    throw new FunctionEnvError(
      `${FUNCTION_ENV.watchdogClusters}: expected name=minutes,... (got ${JSON.stringify(value ?? '')})`,
    );
  return parsed as { name: string; windowMinutes: number }[];
}
