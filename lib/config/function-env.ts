import { REMEDIATION_MODES } from '../guard/modes';
import { REMEDY_IDS } from '../remedies/ids';
import type { ClusterConfig } from './schema';

/**
 * What the stack promises the Lambda handlers: the environment variables it sets (no secrets, only
 * names and ARNs), the metric the staleness alarm watches, and the state-table keys IAM allows.
 */
export const FUNCTION_ENV = {
  cluster: 'CLUSTER_NAME',
  /** Comma-separated `host:port`. */
  seeds: 'CLUSTER_SEEDS',
  secretArn: 'CLUSTER_SECRET_ARN',
  /** `off` | `verify` | `insecure`. */
  tls: 'CLUSTER_TLS',
  timeoutMs: 'CHECK_TIMEOUT_MS',
  topicArn: 'ALERT_TOPIC_ARN',
  tableName: 'STATE_TABLE_NAME',
  mode: 'REMEDIATION_MODE',
  /** Comma-separated remedy ids; empty when none is allowed. */
  allow: 'REMEDIATION_ALLOW',
  settleMs: 'REMEDIATION_SETTLE_MS',
  /** Set on the check function only. */
  remediationFunction: 'REMEDIATION_FUNCTION_NAME',
  /** A placement's functions: their placement, and the clusters they may serve (comma-separated). */
  placement: 'PLACEMENT_NAME',
  placementClusters: 'PLACEMENT_CLUSTERS',
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
export interface CheckEvent {
  cluster: string;
  kind: CheckKind;
  /** What a placement's functions need to know about the cluster (absent for a one-cluster function). */
  settings?: ClusterSettings;
}

/**
 * A cluster's non-secret settings, carried by its schedules' input to its placement's check function
 * and on to the remediation function: a placement's functions serve many clusters, and Lambda's 4 KB
 * of environment could not hold them all. Only the scheduler and the check role may invoke them (IAM).
 */
export interface ClusterSettings {
  seeds: string[];
  secretArn: string;
  tls: TlsMode;
  mode: (typeof REMEDIATION_MODES)[number];
  allow: (typeof REMEDY_IDS)[number][];
  settleMs: number;
}

export function settingsOf(cluster: ClusterConfig): ClusterSettings {
  return {
    seeds: cluster.seeds,
    secretArn: cluster.secretArn,
    tls: tlsModeOf(cluster),
    mode: cluster.remediation.mode,
    allow: cluster.remediation.allow,
    settleMs: cluster.remediation.settleMs,
  };
}

const tlsModeOf = (cluster: ClusterConfig): TlsMode =>
  !cluster.tls.enabled ? 'off' : cluster.tls.verify ? 'verify' : 'insecure';

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

export interface ClusterFunctionEnv {
  cluster: string;
  seeds: string[];
  secretArn: string;
  tls: TlsMode;
  timeoutMs: number;
  topicArn: string;
  tableName: string;
  mode: (typeof REMEDIATION_MODES)[number];
  allow: (typeof REMEDY_IDS)[number][];
  settleMs: number;
  /** Present in the check function only. */
  remediationFunction?: string;
}

/** Names of the resources a cluster's functions use; CDK tokens are fine. */
export interface FunctionResources {
  topicArn: string;
  tableName: string;
  remediationFunction?: string;
}

/** The environment the stack sets on a cluster's functions: the inverse of {@link readFunctionEnv}. */
export function toFunctionEnv(
  cluster: ClusterConfig,
  timeoutMs: number,
  resources: FunctionResources,
): Record<string, string> {
  const tls = tlsModeOf(cluster);
  return {
    [FUNCTION_ENV.cluster]: cluster.name,
    [FUNCTION_ENV.seeds]: cluster.seeds.join(','),
    [FUNCTION_ENV.secretArn]: cluster.secretArn,
    [FUNCTION_ENV.tls]: tls,
    [FUNCTION_ENV.timeoutMs]: String(timeoutMs),
    [FUNCTION_ENV.topicArn]: resources.topicArn,
    [FUNCTION_ENV.tableName]: resources.tableName,
    [FUNCTION_ENV.mode]: cluster.remediation.mode,
    [FUNCTION_ENV.allow]: cluster.remediation.allow.join(','),
    [FUNCTION_ENV.settleMs]: String(cluster.remediation.settleMs),
    ...(resources.remediationFunction
      ? { [FUNCTION_ENV.remediationFunction]: resources.remediationFunction }
      : {}),
  };
}

/** A Lambda started without the environment the stack sets. */
export class FunctionEnvError extends Error {
  override readonly name = 'FunctionEnvError';
}

/**
 * Reads the environment the stack gives a cluster's check or remediation function.
 *
 * @example
 * ```ts
 * const env = readFunctionEnv(process.env);
 * env.seeds; // ['10.0.1.10:6379', ...]
 * ```
 */
export function readFunctionEnv(env: NodeJS.ProcessEnv): ClusterFunctionEnv {
  // A hand check, not zod: this runs in both Lambdas, and zod with its locales is about 440 KB of
  // the bundle and a third of its module init. The stack writes these values; the checks are the
  // same as the config file's, and every problem is named at once.
  const read = new EnvReader(env);
  const seeds = read.list(FUNCTION_ENV.seeds);
  if (env[FUNCTION_ENV.seeds] !== undefined && (seeds.length === 0 || seeds.some((s) => s === '')))
    read.problem(`${FUNCTION_ENV.seeds}: expected host:port,host:port`);
  const allow = read.list(FUNCTION_ENV.allow);
  for (const id of allow) {
    if (!REMEDY_IDS.includes(id as (typeof REMEDY_IDS)[number]))
      read.problem(`${FUNCTION_ENV.allow}: unknown remedy ${JSON.stringify(id.slice(0, 40))}`);
  }
  return read.done({
    cluster: read.text(FUNCTION_ENV.cluster),
    seeds,
    secretArn: read.text(FUNCTION_ENV.secretArn),
    tls: read.oneOf(FUNCTION_ENV.tls, TLS_MODES),
    timeoutMs: read.whole(FUNCTION_ENV.timeoutMs, 120_000),
    topicArn: read.text(FUNCTION_ENV.topicArn),
    tableName: read.text(FUNCTION_ENV.tableName),
    mode: read.oneOf(FUNCTION_ENV.mode, REMEDIATION_MODES),
    allow: allow as ClusterFunctionEnv['allow'],
    settleMs: read.whole(FUNCTION_ENV.settleMs, 600_000),
  });
}

/** Reads the environment the stack wrote, collecting every problem; `done` throws them all at once. */
class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  problem(text: string): void {
    this.problems.push(text);
  }

  text(name: string): string {
    const value = this.env[name];
    if (value === undefined || value === '') this.problem(`${name}: required`);
    return value ?? '';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.text(name);
    if (value !== '' && !allowed.includes(value as T))
      this.problem(`${name}: expected one of ${allowed.join(', ')}`);
    return value as T;
  }

  list(name: string): string[] {
    const value = this.env[name];
    if (value === undefined) this.problem(`${name}: required`);
    return value ? value.split(',') : [];
  }

  /** The same bounds as the config file's (well below 2^31 ms, where Node clamps a timer to 1 ms). */
  whole(name: string, max: number): number {
    const value = this.text(name);
    const n = Number(value);
    if (value !== '' && !(Number.isInteger(n) && n > 0 && n <= max))
      this.problem(`${name}: expected a whole number from 1 to ${max}`);
    return n;
  }

  /** The values read, with the remediation function's name when the stack set one; or every problem. */
  done<T extends object>(values: T): T & { remediationFunction?: string } {
    if (this.problems.length > 0)
      throw new FunctionEnvError(`missing or invalid environment: ${this.problems.join('; ')}`);
    const remediationFunction = this.env[FUNCTION_ENV.remediationFunction];
    return { ...values, ...(remediationFunction ? { remediationFunction } : {}) };
  }
}

/** The environment of a placement's functions: shared resources, and which clusters they serve. */
export interface PlacementEnv {
  placement: string;
  clusters: string[];
  timeoutMs: number;
  topicArn: string;
  tableName: string;
  remediationFunction?: string;
}

export function toPlacementEnv(
  placement: string,
  clusters: string[],
  timeoutMs: number,
  resources: FunctionResources,
): Record<string, string> {
  return {
    [FUNCTION_ENV.placement]: placement,
    [FUNCTION_ENV.placementClusters]: clusters.join(','),
    [FUNCTION_ENV.timeoutMs]: String(timeoutMs),
    [FUNCTION_ENV.topicArn]: resources.topicArn,
    [FUNCTION_ENV.tableName]: resources.tableName,
    ...(resources.remediationFunction
      ? { [FUNCTION_ENV.remediationFunction]: resources.remediationFunction }
      : {}),
  };
}

/** Reads the environment the stack gives a placement's check or remediation function (a hand check, as above). */
export function readPlacementEnv(env: NodeJS.ProcessEnv): PlacementEnv {
  const read = new EnvReader(env);
  const clusters = read.list(FUNCTION_ENV.placementClusters).filter((c) => c !== '');
  if (env[FUNCTION_ENV.placementClusters] !== undefined && clusters.length === 0)
    read.problem(`${FUNCTION_ENV.placementClusters}: expected name,name`);
  return read.done({
    placement: read.text(FUNCTION_ENV.placement),
    clusters,
    timeoutMs: read.whole(FUNCTION_ENV.timeoutMs, 120_000),
    topicArn: read.text(FUNCTION_ENV.topicArn),
    tableName: read.text(FUNCTION_ENV.tableName),
  });
}

/** One cluster's run in a placement's function: the placement's environment plus the cluster's settings. */
export function clusterRunOf(
  placement: PlacementEnv,
  cluster: string,
  settings: ClusterSettings,
): ClusterFunctionEnv {
  return {
    cluster,
    ...settings,
    timeoutMs: placement.timeoutMs,
    topicArn: placement.topicArn,
    tableName: placement.tableName,
    ...(placement.remediationFunction ? { remediationFunction: placement.remediationFunction } : {}),
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
