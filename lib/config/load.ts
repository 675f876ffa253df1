import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { type DeploymentConfig, deploymentSchema } from './schema';

/** One problem in a configuration file, at a field path such as `clusters[0].vpc.subnetIds`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

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
 * Reads and validates a deployment configuration file.
 *
 * @example
 * ```ts
 * const config = loadConfig('config/clusters.json');
 * config.clusters[0].remediation.mode; // 'dry-run' unless the file says otherwise
 * ```
 * @throws ConfigError naming the file and each bad field, e.g. `clusters[0].vpc.subnetIds: expected at least 1 item`
 */
export function loadConfig(path: string): DeploymentConfig {
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

/** Validates an already-parsed configuration; `source` names it in errors. */
export function parseConfig(value: unknown, source = 'configuration'): DeploymentConfig {
  const result = deploymentSchema.safeParse(value, { error: describeIssue });
  if (result.success) return result.data;
  throw new ConfigError(source, result.error.issues.flatMap(toConfigIssues), { cause: result.error });
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
