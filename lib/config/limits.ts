import type { ClusterConfig, DeploymentConfig, FleetConfig } from './schema';

/** One problem in a configuration file, at a field path such as `clusters[0].vpc.subnetIds`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** AWS limits a fleet can run into, each named in the error that reports it. */
export const LIMITS = {
  /** CloudFormation: resources in one stack. */
  resourcesPerStack: 500,
  /** CloudFormation: outputs in one stack. */
  outputsPerStack: 200,
  /** IAM: roles per account (the default quota; other roles in the account count too). */
  rolesPerAccount: 1000,
  /** IAM: the inline policies of one role together, whitespace excluded. */
  rolePolicyCharacters: 10_240,
} as const;

/**
 * What one deployment's stack holds, counted from the config exactly as lib/infra builds it
 * (test/infra/fleet.test.ts compares these counts with the synthesized templates).
 */
export interface StackFootprint {
  resources: number;
  outputs: number;
  roles: number;
}

/**
 * Per stack: the topics (key, 2 topics, 2 policies), the table, the queue and its policy, the schedule
 * group, the failure reporter (log group, role, default policy, function, invoke config, settings
 * layer), 3 alarms, the dashboard, CDK metadata.
 */
const FIXED_RESOURCES = 5 + 1 + 2 + 1 + 6 + 3 + 1 + 1;
/**
 * Per placement: 2 functions, each with its log group, role, default policy and invoke config; the
 * settings layer; the scheduler role and policy; 1 alarm.
 */
export const PLACEMENT_RESOURCES = 2 * 5 + 1 + 2 + 1;
const FIXED_OUTPUTS = 5;
const PLACEMENT_OUTPUTS = 2;
/** Per placement: the two functions' roles and the scheduler's; per stack: the reporter's. */
const PLACEMENT_ROLES = 3;
const FIXED_ROLES = 1;
/** A placement role's policy besides its clusters' secrets, keys and table rows. */
const FIXED_POLICY_CHARACTERS = 1_600;

const unique = <T>(items: T[]) => [...new Set(items)];

export function footprintOf(deployment: DeploymentConfig): StackFootprint {
  const emails = unique([
    ...deployment.clusters.flatMap((c) => c.notify.emails),
    ...(deployment.alarmEmail ? [deployment.alarmEmail] : []),
  ]);
  const sms = unique(deployment.clusters.flatMap((c) => c.notify.sms));
  const schedules = deployment.clusters.reduce((n, c) => n + 1 + (c.schedules.frequent ? 1 : 0), 0);
  // Each cluster's dead-man switch, and its keys-lost alarm in auto mode.
  const alarms = deployment.clusters.reduce((n, c) => n + 1 + (c.remediation.mode === 'auto' ? 1 : 0), 0);
  const placements = deployment.placements.length;
  return {
    // Each address subscribes to both topics (messages, alarms).
    resources:
      FIXED_RESOURCES +
      2 * emails.length +
      2 * sms.length +
      placements * PLACEMENT_RESOURCES +
      schedules +
      alarms,
    outputs: FIXED_OUTPUTS + placements * PLACEMENT_OUTPUTS,
    roles: FIXED_ROLES + placements * PLACEMENT_ROLES,
  };
}

/** Characters a placement role's policy needs for its clusters: secrets, their keys, their table rows. */
function policyCharacters(clusters: ClusterConfig[]): number {
  const quoted = (items: string[]) => items.reduce((n, item) => n + item.length + 3, 0);
  return (
    FIXED_POLICY_CHARACTERS +
    quoted(unique(clusters.map((c) => c.secretArn))) +
    quoted(unique(clusters.flatMap((c) => (c.secretKmsKeyArn ? [c.secretKmsKeyArn] : [])))) +
    quoted(clusters.flatMap((c) => [c.name, `${c.name}#*`]))
  );
}

/** Every limit the fleet would exceed, as config issues naming the deployment or placement and the limit. */
export function limitIssues(fleet: FleetConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const rolesByAccount = new Map<string, { roles: number; deployments: number[] }>();
  fleet.deployments.forEach((deployment, index) => {
    const at = `deployments[${index}]`;
    const footprint = footprintOf(deployment);
    if (footprint.resources > LIMITS.resourcesPerStack)
      issues.push({
        path: at,
        message: `stack ${deployment.stackName} would hold ${footprint.resources} resources, over CloudFormation's ${LIMITS.resourcesPerStack} per stack: split the clusters into more deployments (each schedule is one resource, each placement ${PLACEMENT_RESOURCES})`,
      });
    if (footprint.outputs > LIMITS.outputsPerStack)
      issues.push({
        path: `${at}.placements`,
        message: `stack ${deployment.stackName} would have ${footprint.outputs} outputs, over CloudFormation's ${LIMITS.outputsPerStack}: fewer placements per deployment`,
      });
    const account = rolesByAccount.get(deployment.account) ?? { roles: 0, deployments: [] };
    account.roles += footprint.roles;
    account.deployments.push(index);
    rolesByAccount.set(deployment.account, account);
    deployment.placements.forEach((placement, placementIndex) => {
      const clusters = deployment.clusters.filter((c) => c.placement === placement.name);
      const where = `${at}.placements[${placementIndex}]`;
      const policy = policyCharacters(clusters);
      if (policy > LIMITS.rolePolicyCharacters)
        issues.push({
          path: where,
          message: `placement ${placement.name}: its roles' policy would be about ${policy} characters for ${clusters.length} clusters' secrets and table rows, over IAM's ${LIMITS.rolePolicyCharacters} per role: split it into two placements with the same vpc`,
        });
    });
  });
  for (const [account, { roles, deployments }] of rolesByAccount)
    if (roles > LIMITS.rolesPerAccount)
      issues.push({
        path: `deployments[${deployments.join(',')}]`,
        message: `account ${account} would get ${roles} IAM roles from these deployments, over the default quota of ${LIMITS.rolesPerAccount} roles per account: fewer placements, or another account`,
      });
  return issues;
}
