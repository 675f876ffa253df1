import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStack, fleetDeployment } from './build-stack';

interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string }[];
  }[];
}

/** Every acknowledgement in the tree, as `path: id`, with its reason. */
function acknowledgements(root: IConstruct): { at: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          at: construct.node.path,
          id: id.replace(/^Annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const controlOut = mkdtempSync(join(tmpdir(), 'cluster-doctor-nag-'));
afterAll(() => rmSync(controlOut, { recursive: true, force: true }));

describe('cdk-nag AwsSolutions', () => {
  let app: App;
  let report: Report;

  beforeAll(() => {
    ({ app } = buildStack(fleetDeployment()));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // In memory, a failed validation throws with the report; otherwise it is written next to the template.
    const assembly = app.synth();
    report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
  }, 180_000);

  it('leaves no unacknowledged error in the validation report', () => {
    const errors = report.pluginReports.flatMap((plugin) =>
      plugin.violations.filter((violation) => violation.severity === 'error'),
    );
    expect(errors).toEqual([]);
    expect(report.pluginReports.filter((plugin) => plugin.conclusion === 'failure')).toEqual([]);
  });

  it('finds nothing left to say, warnings included', () => {
    expect(new AwsSolutionsChecks().validateScope(app)).toEqual({ success: true, violations: [] });
  });

  it('is acknowledged only where expected, each time with a reason', () => {
    const nag = acknowledgements(app).filter((ack) => ack.id.startsWith('AwsSolutions-'));
    for (const ack of nag) expect(ack.reason.length).toBeGreaterThan(40);
    const where = nag.map(
      (ack) => `${ack.id} @ ${ack.at.replace(/^ClusterDoctor-paris\/[a-z0-9-]+\//, '<placement>/')}`,
    );
    expect([...new Set(where)].sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*] @ <placement>/Check/Role',
      'AwsSolutions-IAM5[Resource::*] @ <placement>/Remediation/Role',
      'AwsSolutions-L1 @ <placement>/Check/Function',
      'AwsSolutions-L1 @ <placement>/Remediation/Function',
      'AwsSolutions-L1 @ ClusterDoctor-paris/FailureReporter/Function',
      'AwsSolutions-SQS3 @ ClusterDoctor-paris/ScheduleDeadLetters/Queue',
    ]);
  });

  it('does fail synthesis on what is not acknowledged (control)', () => {
    const control = new App({ outdir: controlOut });
    new sqs.Queue(new Stack(control, 'Control'), 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks()
      .validateScope(control)
      .violations.map((violation) => violation.ruleName);
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
    Validations.of(control).addPlugins(new AwsSolutionsChecks(control));
    expect(() => control.synth()).toThrow(/AwsSolutions-SQS2/);
  });
});
