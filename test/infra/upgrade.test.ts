import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack, exampleDeployment } from './build-stack';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/**
 * Deploying the placement layout over the per-cluster one (0.2.0) with today's config file: the same
 * stack (`ClusterDoctor`), and the resources that hold what must survive keep their logical ids, so
 * CloudFormation updates them in place instead of replacing them. These ids were read from the 0.2.0
 * template of config/clusters.example.json; a change here means data or confirmed subscriptions lost.
 */
const KEPT = {
  StateTable962DE04C: 'AWS::DynamoDB::Table',
  AlertsTopicCF7C81C9: 'AWS::SNS::Topic',
  AlertsPager7977C7A9: 'AWS::SNS::Topic',
  AlertsKey9E1197AF: 'AWS::KMS::Key',
  AlertsTopicPolicyFF1F97BA: 'AWS::SNS::TopicPolicy',
  AlertsPagerPolicy61ECD348: 'AWS::SNS::TopicPolicy',
  AlertsTopicredisoncallexamplecomCD3CCBE4: 'AWS::SNS::Subscription',
  AlertsTopicsessionsteamexamplecom7C65E727: 'AWS::SNS::Subscription',
  AlertsTopicplatformoncallexamplecom702DCCC0: 'AWS::SNS::Subscription',
  AlertsTopic33612345678D2673E60: 'AWS::SNS::Subscription',
  AlertsPager336123456786C3FA0F3: 'AWS::SNS::Subscription',
  ScheduleDeadLettersQueue4BE9E6F9: 'AWS::SQS::Queue',
  Schedules29FB02FD: 'AWS::Scheduler::ScheduleGroup',
} as const;

let stackName: string;
let resources: Resources;

beforeAll(() => {
  const { stack } = buildStack(exampleDeployment());
  stackName = stack.stackName;
  resources = Template.fromStack(stack).toJSON().Resources as Resources;
}, 180_000);

describe('upgrade in place from the one-pair-of-functions-per-cluster layout', () => {
  it("reads today's config file as one deployment onto the stack it already created", () => {
    expect(stackName).toBe('ClusterDoctor');
  });

  it('keeps the logical ids of the table, the topics, their key and every subscription', () => {
    for (const [id, type] of Object.entries(KEPT))
      expect({ id, type: resources[id]?.Type }).toEqual({ id, type });
  });

  it('keeps what would replace them unchanged: table keys, subscription endpoints and protocols', () => {
    expect(resources.StateTable962DE04C?.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(resources.StateTable962DE04C?.Properties).not.toHaveProperty('TableName');
    const subscription = (id: keyof typeof KEPT) => resources[id]?.Properties;
    expect(subscription('AlertsTopicredisoncallexamplecomCD3CCBE4')).toMatchObject({
      Protocol: 'email',
      Endpoint: 'redis-oncall@example.com',
      TopicArn: { Ref: 'AlertsTopicCF7C81C9' },
    });
    expect(subscription('AlertsPager336123456786C3FA0F3')).toMatchObject({
      Protocol: 'sms',
      Endpoint: '+33612345678',
      TopicArn: { Ref: 'AlertsPager7977C7A9' },
    });
  });

  it('retains the table if it were ever removed from the stack', () => {
    const policy = (id: string) => (resources[id] as unknown as { DeletionPolicy?: string }).DeletionPolicy;
    expect(policy('StateTable962DE04C')).toBe('Retain');
  });
});
