import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footprintOf, LIMITS } from '../../lib/config/limits';
import { parseConfig } from '../../lib/config/load';
import type { FleetConfig } from '../../lib/config/schema';
import { ClusterDoctorStack } from '../../lib/infra/cluster-doctor-stack';
import { exampleFleet } from './fleet';

/**
 * Must show (issue 15): 200 clusters in 10 placements across 3 deployments, each stack within limits,
 * resource counts per stack, cdk-nag clean. Synthesized as bin/app.ts does (one stack per deployment),
 * bundling skipped (the templates do not depend on the bundles; test/infra/synth.test.ts bundles).
 */
interface Row {
  stack: string;
  clusters: number;
  placements: number;
  resources: number;
  functions: number;
  roles: number;
  alarms: number;
  schedules: number;
  outputs: number;
}
let fleet: FleetConfig;
let app: App;
const stacks: ClusterDoctorStack[] = [];
const rows: Row[] = [];

beforeAll(() => {
  fleet = parseConfig(exampleFleet(), 'example fleet');
  // Version reporting on, as `cdk synth` has it: the CDK metadata resource counts towards the 500.
  app = new App({ analyticsReporting: true, context: { 'aws:cdk:bundling-stacks': [] } });
  for (const deployment of fleet.deployments)
    stacks.push(
      new ClusterDoctorStack(app, deployment.stackName, {
        env: { account: deployment.account, region: deployment.region },
        config: deployment,
      }),
    );
}, 120_000);

afterAll(() => {
  const head = Object.keys(rows[0] ?? {});
  const line = (cells: unknown[]) => `| ${cells.join(' | ')} |`;
  console.log(
    ['', line(head), line(head.map(() => '---')), ...rows.map((r) => line(Object.values(r)))].join('\n'),
  );
});

describe('an example fleet of 200 clusters in 10 placements across 3 deployments', () => {
  it('is a valid configuration: every limit is computed before synth and none is exceeded', () => {
    expect(fleet.deployments.map((d) => d.stackName)).toEqual([
      'ClusterDoctor-paris',
      'ClusterDoctor-virginia',
      'ClusterDoctor-dublin',
    ]);
    expect(fleet.deployments.flatMap((d) => d.clusters)).toHaveLength(200);
    expect(fleet.deployments.flatMap((d) => d.placements)).toHaveLength(10);
  });

  it('synthesizes one stack per deployment, each within CloudFormation limits, counted exactly by the config', () => {
    for (const stack of stacks) {
      const template = Template.fromStack(stack).toJSON();
      const resources = Object.values(template.Resources as Record<string, { Type: string }>);
      const count = (type: string) => resources.filter((r) => r.Type === type).length;
      const deployment = fleet.deployments.find((d) => d.stackName === stack.stackName);
      if (!deployment) throw new Error(`no deployment for ${stack.stackName}`);
      const footprint = footprintOf(deployment);
      rows.push({
        stack: stack.stackName,
        clusters: deployment.clusters.length,
        placements: deployment.placements.length,
        resources: resources.length,
        functions: count('AWS::Lambda::Function'),
        roles: count('AWS::IAM::Role'),
        alarms: count('AWS::CloudWatch::Alarm'),
        schedules: count('AWS::Scheduler::Schedule'),
        outputs: Object.keys(template.Outputs ?? {}).length,
      });
      expect(count('AWS::CDK::Metadata')).toBe(1);
      expect(resources.length).toBe(footprint.resources);
      expect(Object.keys(template.Outputs).length).toBe(footprint.outputs);
      expect(count('AWS::IAM::Role')).toBe(footprint.roles);
      expect(resources.length).toBeLessThanOrEqual(LIMITS.resourcesPerStack);
      expect(count('AWS::Lambda::Function')).toBe(2 * deployment.placements.length + 1);
      const autoClusters = deployment.clusters.filter((c) => c.remediation.mode === 'auto').length;
      expect(count('AWS::CloudWatch::Alarm')).toBe(
        deployment.clusters.length + autoClusters + deployment.placements.length + 3,
      );
    }
  }, 120_000);

  it('gives every placement function an environment and a role policy within Lambda and IAM limits', () => {
    for (const stack of stacks) {
      const resources = Template.fromStack(stack).toJSON().Resources as Record<
        string,
        { Type: string; Properties: Record<string, unknown> }
      >;
      for (const resource of Object.values(resources)) {
        if (resource.Type === 'AWS::Lambda::Function') {
          // Tokens resolve to longer strings than their JSON here; the limit check allows 800 bytes for them.
          const env = JSON.stringify((resource.Properties.Environment as { Variables: object }).Variables);
          expect(env.length).toBeLessThan(4096 - 800);
        }
        if (resource.Type === 'AWS::IAM::Role') {
          const policies = JSON.stringify(resource.Properties.Policies ?? []).replace(/\s/g, '');
          expect(policies.length).toBeLessThan(LIMITS.rolePolicyCharacters);
        }
      }
    }
  });

  it('is cdk-nag clean', () => {
    expect(new AwsSolutionsChecks().validateScope(app)).toEqual({ success: true, violations: [] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  }, 180_000);
});
