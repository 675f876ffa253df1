import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config/load';
import type { DeploymentConfig } from '../../lib/config/schema';
import { ClusterDoctorStack } from '../../lib/infra/cluster-doctor-stack';

export const EXAMPLE_CONFIG = join(__dirname, '..', '..', 'config', 'clusters.example.json');
export const FLEET_EXAMPLE = join(__dirname, '..', '..', 'config', 'fleet.example.json');

/**
 * The stack as bin/app.ts builds it, from the example configuration. Bundling is skipped (the CDK's
 * `aws:cdk:bundling-stacks` context): templates do not depend on the bundle, and esbuild would run
 * once per function. The synth test bundles for real.
 */
export function buildStack(config: DeploymentConfig = exampleDeployment()) {
  // Asset metadata on: a test can find a layer's staged files, as `cdk synth` writes them.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-asset-metadata': true } });
  const stack = new ClusterDoctorStack(app, config.stackName, {
    env: { account: config.account, region: config.region },
    config,
  });
  return { app, stack, config };
}

/** The example file's one deployment (today's format: the stack `ClusterDoctor`). */
export function exampleDeployment(): DeploymentConfig {
  const [deployment] = loadConfig(EXAMPLE_CONFIG).deployments;
  if (!deployment) throw new Error('the example has a deployment');
  return deployment;
}

/** The fleet example's first deployment (Paris: two placements, one serving two clusters). */
export function fleetDeployment(): DeploymentConfig {
  const [deployment] = loadConfig(FLEET_EXAMPLE).deployments;
  if (!deployment) throw new Error('the fleet example has a deployment');
  return deployment;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every statement a role's identity policies hold: inline ones and `AWS::IAM::Policy` attached to it. */
export function roleStatements(resources: Resources, roleLogicalId: string): Statement[] {
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const inline =
    (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? [];
  const attached = Object.values(resources).filter(
    (resource) =>
      resource.Type === 'AWS::IAM::Policy' &&
      (resource.Properties.Roles as { Ref?: string }[]).some((ref) => ref.Ref === roleLogicalId),
  );
  return [
    ...inline.flatMap((policy) => policy.PolicyDocument.Statement),
    ...attached.flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    ),
  ];
}

/** Statements in a comparable form: one action list, one resource list, sorted. */
export function normalize(statements: Statement[]) {
  return statements
    .map((statement) => ({
      effect: statement.Effect,
      actions: [statement.Action].flat().sort(),
      resources: [statement.Resource].flat(),
      ...(statement.Condition ? { condition: statement.Condition } : {}),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
