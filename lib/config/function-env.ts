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

/**
 * The service's CloudWatch metrics: one namespace, a `cluster` dimension for what concerns one
 * cluster and a `placement` one for the detail. `CheckRan` is the dead-man switch's heartbeat: every
 * scheduled check that ran to its end (whatever it saw), and every failed one the failure reporter
 * told the cluster's people about. Powertools Metrics adds a `service` dimension by default, which
 * makes a different metric, so the handlers clear the default dimensions before publishing.
 */
export const METRICS = {
  namespace: 'ClusterDoctor',
  cluster: 'cluster',
  placement: 'placement',
  checkRan: 'CheckRan',
  keysLost: 'KeysLost',
} as const;

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
