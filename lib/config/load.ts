import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { type ConfigIssue, limitIssues } from './limits';
import {
  type DeploymentConfig,
  type FleetConfig,
  fleetSchema,
  legacyDeploymentSchema,
  type PlacementConfig,
  stackNameOf,
  type VpcConfig,
} from './schema';

export type { ConfigIssue } from './limits';

/** A configuration file that cannot be read, parsed or validated. The message names every bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
    options?: ErrorOptions,
  ) {
    super(
      `${source}: invalid configuration\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`,
      options,
    );
  }
}

/**
 * Reads and validates a configuration file: a fleet (`{"deployments": [...]}`), or today's single
 * deployment (`{"account", "region", "clusters"}`, each cluster with its `vpc`), read as a fleet of one.
 *
 * @example
 * ```ts
 * const fleet = loadConfig('config/clusters.json');
 * fleet.deployments[0].clusters[0].remediation.mode; // 'dry-run' unless the file says otherwise
 * ```
 * @throws ConfigError naming the file and each bad field, e.g. `clusters[0].vpc.subnetIds: expected at least 1 item`
 */
export function loadConfig(path: string): FleetConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '(file)', message: `cannot read: ${(error as Error).message}` }], {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      path,
      [{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }],
      {
        cause: error,
      },
    );
  }
  return parseConfig(value, path);
}

/**
 * Validates an already-parsed configuration; `source` names it in errors. Limits the deployment would
 * exceed (resources per stack, IAM roles, policy and environment sizes) are errors too, found here,
 * before CloudFormation or CDK would stop halfway.
 */
export function parseConfig(value: unknown, source = 'configuration'): FleetConfig {
  const fleet = isFleet(value) ? parseFleet(value, source) : { deployments: [parseLegacy(value, source)] };
  const issues = limitIssues(fleet);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return fleet;
}

const isFleet = (value: unknown) =>
  typeof value === 'object' && value !== null && 'deployments' in value && !('clusters' in value);

function parseFleet(value: unknown, source: string): FleetConfig {
  const result = fleetSchema.safeParse(value, { error: describeIssue });
  if (!result.success)
    throw new ConfigError(source, result.error.issues.flatMap(toConfigIssues), { cause: result.error });
  return {
    deployments: result.data.deployments.map((d) => ({ ...d, stackName: stackNameOf(d) })),
  };
}

/**
 * Today's format, kept so an existing file deploys unchanged: one deployment over the stack it already
 * created (`ClusterDoctor`), clusters with the same network settings sharing a placement named after them.
 */
function parseLegacy(value: unknown, source: string): DeploymentConfig {
  const result = legacyDeploymentSchema.safeParse(value, { error: describeIssue });
  if (!result.success)
    throw new ConfigError(source, result.error.issues.flatMap(toConfigIssues), { cause: result.error });
  const { clusters, ...rest } = result.data;
  const placements = new Map<string, PlacementConfig>();
  const placed = clusters.map(({ vpc, ...cluster }) => {
    const name = placementNameOf(vpc);
    placements.set(name, { name, vpc });
    return { ...cluster, placement: name };
  });
  return {
    ...rest,
    name: 'default',
    stackName: 'ClusterDoctor',
    placements: [...placements.values()],
    clusters: placed,
  };
}

/** A stable name for a network placement: the same VPC, subnets and security groups, the same name. */
export function placementNameOf(vpc: VpcConfig): string {
  const key = [vpc.vpcId, [...vpc.subnetIds].sort().join(','), [...vpc.securityGroupIds].sort().join(',')];
  return `net-${createHash('sha256').update(key.join('|')).digest('hex').slice(0, 8)}`;
}

function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field' }));
  return [{ path: formatPath(issue.path), message: issue.message }];
}

/** `['clusters', 0, 'vpc']` → `clusters[0].vpc`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Messages for the issues whose schema gives none; `undefined` keeps zod's own. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `expected at least ${issue.minimum} item(s)` : undefined;
    case 'too_big':
      return issue.origin === 'array' ? `expected at most ${issue.maximum} item(s)` : undefined;
    default:
      return undefined;
  }
}
