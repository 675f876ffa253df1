import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENV, METRICS } from '../../lib/config/function-env';
import {
  deploymentDocumentOf,
  parseDeploymentDocument,
  parsePlacementSettings,
  placementSettingsOf,
  SETTINGS_LAYER,
} from '../../lib/config/placement-settings';
import type { ClusterConfig, DeploymentConfig } from '../../lib/config/schema';
import type { ClusterDoctorStack } from '../../lib/infra/cluster-doctor-stack';
import type { PlacementFunctions } from '../../lib/infra/placement-functions';
import { buildStack, fleetDeployment, normalize, roleStatements, type Statement } from './build-stack';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The fleet example's Paris deployment: placement app-vpc serves orders-cache and carts-cache, batch-vpc sessions. */
let stack: ClusterDoctorStack;
let config: DeploymentConfig;
let template: Template;
let resources: Resources;

beforeAll(() => {
  let app: ReturnType<typeof buildStack>['app'];
  ({ app, stack, config } = buildStack(fleetDeployment()));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
  assembly = app.synth().directory;
}, 180_000);

const ENI_ACTIONS = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:UnassignPrivateIpAddresses',
];
const TABLE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
const PREFIX = 'ClusterDoctor-paris-';

const resolve = (value: unknown) => stack.resolve(value);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const placementNamed = (name: string) => {
  const placement = stack.placements.find((p) => p.placement.name === name);
  if (!placement) throw new Error(`no placement ${name}`);
  return placement;
};
const clusterNamed = (name: string): ClusterConfig => {
  const cluster = config.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`no cluster ${name}`);
  return cluster;
};
const functionProps = (fn: { node: { defaultChild?: unknown } }) => {
  const props = resources[logicalId(fn)]?.Properties;
  if (!props) throw new Error('function not in template');
  return props;
};
const allFunctions = () => [
  ...stack.placements.flatMap((p) => [p.check.function, p.remediation.function]),
  stack.reporter.function,
];
/** The document a settings layer holds, read from its staged asset as Lambda would mount it. */
const layerDocument = (layer: { node: { defaultChild?: unknown } }, path: string) => {
  const assetPath = (resources[logicalId(layer)] as { Metadata?: Record<string, string> } | undefined)
    ?.Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error('the layer has no staged asset');
  return readFileSync(join(assembly, assetPath, path), 'utf8');
};
let assembly: string;

/** The statements a placement function's role must hold, and no others. */
function expectedStatements(placement: PlacementFunctions, role: 'check' | 'remediation') {
  const clusters = placement.clusters;
  const own = role === 'check' ? placement.check : placement.remediation;
  const keys = clusters.flatMap((c) => c.secretKmsKeyArn ?? []);
  const statements: Statement[] = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: resolve(own.logGroup.logGroupArn),
    },
    { Effect: 'Allow', Action: ENI_ACTIONS, Resource: '*' },
    // Exactly the secrets of the clusters placed here.
    {
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: clusters.length === 1 ? clusters[0]?.secretArn : clusters.map((c) => c.secretArn),
    },
    { Effect: 'Allow', Action: 'sns:Publish', Resource: resolve(stack.alerts.topic.topicArn) },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: resolve(stack.alerts.key.keyArn),
    },
    {
      Effect: 'Allow',
      Action: TABLE_ACTIONS,
      Resource: resolve(stack.state.table.tableArn),
      Condition: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': clusters.flatMap((c) => [c.name, `${c.name}#*`]),
        },
      },
    },
    // Invocations that failed for good go to the failure reporter (the on-failure destination).
    {
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: resolve(stack.reporter.function.functionArn),
    },
  ];
  // Customer-managed keys of those secrets: decrypt with them, and only through Secrets Manager.
  if (keys.length > 0)
    statements.push({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keys.length === 1 ? keys[0] : keys,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` } },
    });
  if (role === 'check')
    statements.push({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: resolve(placement.remediation.function.functionArn),
    });
  return normalize(statements);
}

describe('placement functions', () => {
  it('are two per placement, not per cluster, plus the failure reporter: Node.js 22 on arm64, bundled, source maps on', () => {
    expect(config.clusters).toHaveLength(3);
    template.resourceCountIs('AWS::Lambda::Function', config.placements.length * 2 + 1);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('are named <stack>-<placement>-check and -fix (what npm run smoke invokes)', () => {
    for (const placement of stack.placements) {
      expect(functionProps(placement.check.function).FunctionName).toBe(
        `${PREFIX}${placement.placement.name}-check`,
      );
      expect(functionProps(placement.remediation.function).FunctionName).toBe(
        `${PREFIX}${placement.placement.name}-fix`,
      );
    }
    expect(functionProps(stack.reporter.function).FunctionName).toBe(`${PREFIX}report-failure`);
  });

  it("run in their placement's subnets and security groups; the failure reporter, which reaches no cluster, in none", () => {
    for (const placement of stack.placements) {
      const { vpc } = placement.placement;
      for (const fn of [placement.check.function, placement.remediation.function]) {
        expect(functionProps(fn).VpcConfig).toEqual({
          SubnetIds: vpc.subnetIds,
          SecurityGroupIds: vpc.securityGroupIds,
        });
      }
    }
    expect(functionProps(stack.reporter.function)).not.toHaveProperty('VpcConfig');
  });

  it('never modify the imported security groups', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  it('get only the names of their resources in their environment, and their settings from a layer of the placement', () => {
    const app = placementNamed('app-vpc');
    const env = (functionProps(app.check.function).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env).toEqual({
      [FUNCTION_ENV.topicArn]: resolve(stack.alerts.topic.topicArn),
      [FUNCTION_ENV.tableName]: resolve(stack.state.table.tableName),
      [FUNCTION_ENV.remediationFunction]: resolve(app.remediation.function.functionName),
      NODE_OPTIONS: '--enable-source-maps',
    });
    const remediationEnv = (functionProps(app.remediation.function).Environment as { Variables: object })
      .Variables;
    expect(remediationEnv).toEqual({
      [FUNCTION_ENV.topicArn]: resolve(stack.alerts.topic.topicArn),
      [FUNCTION_ENV.tableName]: resolve(stack.state.table.tableName),
      NODE_OPTIONS: '--enable-source-maps',
    });
    for (const placement of stack.placements) {
      const layers = [resolve(placement.settings.layer.layerVersionArn)];
      expect(functionProps(placement.check.function).Layers).toEqual(layers);
      expect(functionProps(placement.remediation.function).Layers).toEqual(layers);
      // What the functions read at /opt: the placement's clusters' settings from the file, no other.
      const document = parsePlacementSettings(
        layerDocument(placement.settings.layer, SETTINGS_LAYER.placement),
        'layer',
      );
      expect(document).toEqual(placementSettingsOf(config, placement.placement.name));
      expect(Object.keys(document.clusters)).toEqual(placement.clusters.map((c) => c.name));
    }
    expect(placementSettingsOf(config, 'app-vpc').clusters['orders-cache']).toEqual({
      seeds: ['10.0.1.10:6379', '10.0.2.10:6379', '10.0.3.10:6379'],
      secretArn: clusterNamed('orders-cache').secretArn,
      tls: 'verify',
      timeoutMs: 10_000,
      mode: 'dry-run',
      allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
      settleMs: 60_000,
    });
  });

  it('reserve no concurrency anywhere (single flight is the lock per cluster) and retry nothing', () => {
    for (const fn of allFunctions())
      expect(functionProps(fn)).not.toHaveProperty('ReservedConcurrentExecutions');
    for (const placement of stack.placements) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: resolve(placement.remediation.function.functionName),
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 3600,
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: resolve(placement.check.function.functionName),
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 300,
      });
    }
  });

  it('hand invocations that failed for good to the failure reporter, and fit the Lambda limit', () => {
    for (const placement of stack.placements) {
      for (const fn of [placement.check.function, placement.remediation.function]) {
        template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: resolve(fn.functionName),
          DestinationConfig: { OnFailure: { Destination: resolve(stack.reporter.function.functionArn) } },
        });
      }
      expect(functionProps(placement.remediation.function).Timeout).toBe(900);
      // timeoutMs 10 s: two observations (the second after re-reading a rotated secret) and 60 s.
      expect(functionProps(placement.check.function).Timeout).toBe(80);
    }
    // The reporter itself: retried (it is idempotent), then the dead-letter queue; outside any VPC.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolve(stack.reporter.function.functionName),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: resolve(stack.deadLetters.queue.queueArn) } },
    });
    expect(functionProps(stack.reporter.function)).not.toHaveProperty('VpcConfig');
    const document = parseDeploymentDocument(
      layerDocument(
        (
          stack.reporter.node.findChild('Settings') as unknown as {
            layer: { node: { defaultChild?: unknown } };
          }
        ).layer,
        SETTINGS_LAYER.deployment,
      ),
      'layer',
    );
    expect(document).toEqual(deploymentDocumentOf(config));
    expect(document.functions[`${PREFIX}app-vpc-fix`]).toEqual({ placement: 'app-vpc', role: 'remediation' });
  });

  it('write to log groups of their own, kept three months', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', allFunctions().length);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const app = placementNamed('app-vpc');
    expect(functionProps(app.check.function).LoggingConfig).toEqual({
      LogGroup: resolve(app.check.logGroup.logGroupName),
    });
  });
});

describe('least-privilege IAM', () => {
  it("gives each check role exactly: its logs, the VPC, its clusters' secrets and keys, this topic, its clusters' rows, its remediation", () => {
    for (const placement of stack.placements) {
      expect(normalize(roleStatements(resources, logicalId(placement.check.role)))).toEqual(
        expectedStatements(placement, 'check'),
      );
    }
    // Concretely: app-vpc reads the two secrets of its clusters, and not the third one's.
    const app = JSON.stringify(roleStatements(resources, logicalId(placementNamed('app-vpc').check.role)));
    expect(app).toContain(clusterNamed('orders-cache').secretArn);
    expect(app).toContain(clusterNamed('carts-cache').secretArn);
    expect(app).not.toContain(clusterNamed('sessions').secretArn);
  });

  it('gives each remediation role the same minus any invoke permission', () => {
    for (const placement of stack.placements) {
      expect(normalize(roleStatements(resources, logicalId(placement.remediation.role)))).toEqual(
        expectedStatements(placement, 'remediation'),
      );
    }
  });

  it('gives the failure reporter its logs, the failure records of the table, the topic and its dead letters: no secret, no VPC', () => {
    expect(normalize(roleStatements(resources, logicalId(stack.reporter.role)))).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: resolve(stack.reporter.logGroup.logGroupArn),
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          Resource: resolve(stack.state.table.tableArn),
          Condition: {
            'ForAllValues:StringEquals': {
              'dynamodb:Attributes': ['pk', 'sk', 'record', 'expiresAt', 'remindedAt'],
            },
          },
        },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: resolve(stack.alerts.topic.topicArn) },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: resolve(stack.alerts.key.keyArn),
        },
        {
          Effect: 'Allow',
          Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          Resource: resolve(stack.deadLetters.queue.queueArn),
        },
      ]),
    );
  });

  it('attaches no managed policies', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it("lets only the placement's own check role invoke its remediation function, and nothing else", () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    for (const placement of stack.placements) {
      const remediationArn = JSON.stringify(resolve(placement.remediation.function.functionArn));
      const remediationName = JSON.stringify(resolve(placement.remediation.function.functionName));
      const holders = Object.entries(resources)
        .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
        .filter(([id]) =>
          roleStatements(resources, id).some(
            (statement) =>
              [statement.Action].flat().some((action) => action.startsWith('lambda:')) &&
              (JSON.stringify(statement.Resource).includes(remediationArn.slice(1, -1)) ||
                JSON.stringify(statement.Resource).includes(remediationName.slice(1, -1)) ||
                statement.Resource === '*'),
          ),
        )
        .map(([id]) => id);
      expect(holders).toEqual([logicalId(placement.check.role)]);
    }
  });

  it('grants no wildcard resource except the VPC network-interface actions', () => {
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      for (const statement of roleStatements(resources, id)) {
        if (statement.Resource === '*') expect([statement.Action].flat().sort()).toEqual(ENI_ACTIONS);
        else expect(JSON.stringify(statement.Resource)).not.toMatch(/[^#]\*/);
        expect([statement.Action].flat().every((action) => !action.endsWith('*'))).toBe(true);
      }
    }
  });

  it("lets a placement's scheduler role invoke its check function and send to the dead-letter queue, only", () => {
    for (const placement of stack.placements) {
      const [first] = placement.schedules;
      const target = resources[logicalId(first?.nightly as never)]?.Properties.Target as {
        RoleArn: { 'Fn::GetAtt': [string, string] };
      };
      expect(normalize(roleStatements(resources, target.RoleArn['Fn::GetAtt'][0]))).toEqual(
        normalize([
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: resolve(placement.check.function.functionArn),
          },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resolve(stack.deadLetters.queue.queueArn) },
        ]),
      );
      // Every schedule of the placement uses that one role.
      for (const schedule of placement.schedules)
        expect(
          (resources[logicalId(schedule.nightly)]?.Properties.Target as { RoleArn: unknown } | undefined)
            ?.RoleArn,
        ).toEqual(target.RoleArn);
    }
  });
});

describe('schedules', () => {
  it("start each cluster's nightly check at its cron and time zone, with its name and kind as input, nothing else", () => {
    for (const placement of stack.placements) {
      for (const [index, schedule] of placement.schedules.entries()) {
        const cluster = placement.clusters[index] as ClusterConfig;
        expect(resources[logicalId(schedule.nightly)]?.Properties).toMatchObject({
          ScheduleExpression: cluster.schedules.nightly.cron,
          ScheduleExpressionTimezone: cluster.schedules.nightly.timeZone,
          State: 'ENABLED',
          Target: {
            Arn: resolve(placement.check.function.functionArn),
            Input: JSON.stringify({ cluster: cluster.name, kind: 'nightly' }),
          },
        });
      }
    }
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: { Input: '{"cluster":"orders-cache","kind":"nightly"}' },
    });
  });

  it('add a frequent check only where one is configured', () => {
    // orders-cache and carts-cache: nightly + frequent; sessions: nightly.
    template.resourceCountIs('AWS::Scheduler::Schedule', 5);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(10 minutes)',
      Target: { Input: '{"cluster":"carts-cache","kind":"frequent"}' },
    });
    expect(placementNamed('batch-vpc').schedules[0]?.frequent).toBeUndefined();
  });

  it('retry undelivered invocations, then dead-letter them', () => {
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: resolve(stack.deadLetters.queue.queueArn) },
      },
    });
  });

  it('dead-letter into an encrypted queue that refuses plain HTTP', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('alert topic', () => {
  it('is encrypted with a rotated KMS key of its own and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: resolve(stack.alerts.key.keyArn) });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it("lets this stack's CloudWatch alarms publish (topic policy and key policy)", () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': config.account },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([Match.stringLikeRegexp(':alarm:ClusterDoctor-paris\\.\\*$')]),
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('subscribes each address once; SMS only for critical findings, email unfiltered by severity', () => {
    const alerts = JSON.stringify(resolve(stack.alerts.topic.topicArn));
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter(
      (s) => JSON.stringify(s.Properties.TopicArn) === alerts,
    );
    const byEndpoint: Record<string, Record<string, unknown>> = Object.fromEntries(
      subscriptions.map((s) => [s.Properties.Endpoint, s.Properties]),
    );
    expect(Object.keys(byEndpoint).sort()).toEqual([
      '+33612345678',
      'platform-oncall@example.com',
      'redis-oncall@example.com',
      'sessions-team@example.com',
    ]);
    for (const subscription of Object.values(byEndpoint)) {
      const filter = subscription.FilterPolicy as Record<string, unknown> | undefined;
      if (subscription.Protocol === 'sms') expect(filter?.severity).toEqual(['critical']);
      else expect(filter?.severity).toBeUndefined();
    }
    expect(byEndpoint['redis-oncall@example.com']).not.toHaveProperty('FilterPolicy');
    expect(byEndpoint['platform-oncall@example.com']).not.toHaveProperty('FilterPolicy');
    expect(byEndpoint['sessions-team@example.com']?.FilterPolicy).toEqual({ cluster: ['sessions'] });
    expect(byEndpoint['+33612345678']).toMatchObject({
      Protocol: 'sms',
      FilterPolicy: { severity: ['critical'], cluster: ['orders-cache'] },
    });
  });
});

describe('state table', () => {
  it('is on-demand, string pk/sk, TTL on expiresAt, with point-in-time recovery', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('checker alarms', () => {
  const pager = () => [resolve(stack.alerts.pager.topicArn)];
  const alarms = () =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const alarmNamed = (name: string) => alarms().find((a) => a.AlarmName === name);
  const cluster = (name: string, what: string) => `ClusterDoctor-paris.cluster.${name}.${what}`;

  it('are one per cluster (two in auto mode), one per placement and four per deployment, CloudWatch alone', () => {
    const autoClusters = config.clusters.filter((c) => c.remediation.mode === 'auto').map((c) => c.name);
    expect(
      alarms()
        .map((a) => a.AlarmName)
        .sort(),
    ).toEqual(
      [
        ...config.clusters.map((c) => cluster(c.name, 'checker-dead')),
        ...autoClusters.map((c) => cluster(c, 'keys-lost')),
        ...config.placements.map((p) => `ClusterDoctor-paris.placement.${p.name}.functions-failing`),
        'ClusterDoctor-paris.deployment.failures-unreported',
        'ClusterDoctor-paris.deployment.sns-delivery-failures',
        'ClusterDoctor-paris.deployment.sms-spend',
      ].sort(),
    );
  });

  it("watch each cluster's checks with a dead-man switch over the window of its own schedule, silent until its first run", () => {
    // orders-cache every 5 min: 3 x 5 min; carts-cache every 10 min: 3 x 10 min; sessions nightly only: 26 x 1 h.
    const windows = { 'orders-cache': [300, 3], 'carts-cache': [600, 3], sessions: [3600, 26] } as const;
    for (const [name, [period, periods]] of Object.entries(windows)) {
      expect(alarmNamed(cluster(name, 'checker-dead'))).toMatchObject({
        Namespace: METRICS.namespace,
        MetricName: 'CheckRan',
        Dimensions: [{ Name: 'cluster', Value: name }],
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: periods,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        // Missing data is INSUFFICIENT_DATA: a new alarm starts there without notifying anyone.
        TreatMissingData: 'missing',
        AlarmActions: pager(),
        OKActions: pager(),
        InsufficientDataActions: pager(),
      });
    }
  });

  it('keep within what CloudWatch accepts: period x evaluation periods at most 7 days (1 day under 1 h)', () => {
    for (const alarm of alarms()) {
      const { Period, EvaluationPeriods, Metrics } = alarm as {
        Period?: number;
        EvaluationPeriods: number;
        Metrics?: { MetricStat?: { Period: number } }[];
      };
      const period = Period ?? Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 0;
      expect(period * EvaluationPeriods).toBeLessThanOrEqual(period >= 3600 ? 7 * 86400 : 86400);
    }
  });

  it("alarm on every placement function's errors, throttles and dropped events, missing data as 0", () => {
    for (const placement of stack.placements) {
      const alarm = alarmNamed(`ClusterDoctor-paris.placement.${placement.placement.name}.functions-failing`);
      const metrics = (alarm?.Metrics ?? []) as {
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } };
      }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(
        'FILL(ce, 0) + FILL(re, 0) + FILL(ct, 0) + FILL(rt, 0) + FILL(cd, 0) + FILL(rd, 0)',
      );
      const check = resolve(placement.check.function.functionName);
      const remediation = resolve(placement.remediation.function.functionName);
      expect(
        metrics
          .filter((m) => m.MetricStat)
          .map((m) => [m.MetricStat?.Metric.MetricName, m.MetricStat?.Metric.Dimensions[0]?.Value]),
      ).toEqual([
        ['Errors', check],
        ['Errors', remediation],
        ['Throttles', check],
        ['Throttles', remediation],
        ['AsyncEventsDropped', check],
        ['AsyncEventsDropped', remediation],
      ]);
      expect(alarm?.AlarmDescription).toContain(
        `clusters ${placement.clusters.map((c) => c.name).join(', ')}`,
      );
    }
  });

  it('alarm on the failure reporter failing and each new dead letter (not the backlog); on failed deliveries; on SMS spend at 80 % of the limit', () => {
    const unreported = alarmNamed('ClusterDoctor-paris.deployment.failures-unreported') as {
      Metrics: {
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } };
      }[];
      TreatMissingData: string;
    };
    expect(unreported.Metrics.find((m) => m.Expression)?.Expression).toBe(
      'FILL(e, 0) + FILL(t, 0) + FILL(d, 0)',
    );
    expect(
      unreported.Metrics.filter((m) => m.MetricStat).map((m) => [
        m.MetricStat?.Metric.MetricName,
        m.MetricStat?.Metric.Dimensions[0]?.Value,
      ]),
    ).toEqual([
      ['Errors', resolve(stack.reporter.function.functionName)],
      ['Throttles', resolve(stack.reporter.function.functionName)],
      ['NumberOfMessagesSent', resolve(stack.deadLetters.queue.queueName)],
    ]);
    expect(unreported.TreatMissingData).toBe('notBreaching');
    const failures = alarmNamed('ClusterDoctor-paris.deployment.sns-delivery-failures')?.Metrics as {
      MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } };
    }[];
    expect(failures.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric.MetricName)).toEqual([
      'NumberOfNotificationsFailed',
      'NumberOfNotificationsFailed',
    ]);
    expect(alarmNamed('ClusterDoctor-paris.deployment.sms-spend')).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Threshold: config.smsMonthlySpendLimitUsd * 0.8,
    });
  });

  it('notify the alarm topic on every state change, under names its policy admits', () => {
    for (const alarm of alarms()) {
      expect(String(alarm.AlarmName).startsWith('ClusterDoctor-paris.')).toBe(true);
      expect(alarm.AlarmActions).toEqual(pager());
      expect(alarm.OKActions).toEqual(pager());
    }
  });

  it("route by name: an inbox gets its clusters' and the deployment's alarms, the alarm email all; a phone only its clusters' dead-man switches, never their OK", () => {
    const onPager = Object.values(template.findResources('AWS::SNS::Subscription'))
      .filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(pager()[0]))
      .map((s) => s.Properties);
    const byEndpoint = Object.fromEntries(onPager.map((s) => [s.Endpoint, s]));
    expect(Object.keys(byEndpoint).sort()).toEqual(
      [
        ...new Set([
          ...config.clusters.flatMap((c) => [...c.notify.emails, ...c.notify.sms]),
          config.alarmEmail,
        ]),
      ].sort(),
    );
    for (const email of Object.keys(byEndpoint).filter((e) => e.includes('@'))) {
      const listed = config.clusters.filter((c) => c.notify.emails.includes(email));
      const subscription = byEndpoint[email] as Record<string, unknown>;
      if (email === config.alarmEmail || listed.length === config.clusters.length) {
        expect(subscription).not.toHaveProperty('FilterPolicy');
        continue;
      }
      expect(subscription.FilterPolicyScope).toBe('MessageBody');
      expect(subscription.FilterPolicy).toEqual({
        AlarmName: [
          ...listed.map((c) => ({ prefix: `ClusterDoctor-paris.cluster.${c.name}.` })),
          { prefix: 'ClusterDoctor-paris.deployment.' },
        ],
      });
    }
    for (const phone of Object.keys(byEndpoint).filter((e) => e.startsWith('+'))) {
      const listed = config.clusters.filter((c) => c.notify.sms.includes(phone));
      expect(byEndpoint[phone]).toMatchObject({
        Protocol: 'sms',
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: {
          AlarmName: listed.map((c) => cluster(c.name, 'checker-dead')),
          NewStateValue: [{ 'anything-but': ['OK'] }],
        },
      });
    }
  });
});

describe('operability', () => {
  it('has one dashboard naming every cluster, by placement', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(
      resolve(
        Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
      ),
    );
    for (const cluster of config.clusters) expect(body).toContain(`\\"cluster\\",\\"${cluster.name}\\"`);
    for (const metric of ['Status', 'Findings', 'CheckDuration', 'CheckRan', 'ActionsApplied'])
      expect(body).toContain(metric);
  });

  it('outputs the function names, the topics, the table and the dashboard', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const values = Object.values(outputs).map((o) => JSON.stringify(o.Value));
    for (const fn of allFunctions()) expect(values).toContain(JSON.stringify(resolve(fn.functionName)));
    for (const value of [
      stack.alerts.topic.topicArn,
      stack.alerts.pager.topicArn,
      stack.state.table.tableName,
    ])
      expect(values).toContain(JSON.stringify(resolve(value)));
    expect(Object.keys(outputs)).toHaveLength(5 + 2 * config.placements.length);
  });
});

describe('synth-time advice', () => {
  const warnings = (cfg: DeploymentConfig) =>
    Annotations.fromStack(buildStack(cfg).stack)
      .findWarning('*', Match.stringLikeRegexp('remediation mode auto'))
      .map((w) => String(w.entry.data));

  it('warns when a cluster remediates in auto mode with only the nightly schedule', () => {
    const auto = { mode: 'auto' as const, allow: ['stabilize-open-slot' as const], settleMs: 60_000 };
    const cfg: DeploymentConfig = {
      ...config,
      clusters: config.clusters.map((cluster) => ({ ...cluster, remediation: auto })),
    };
    expect(warnings(cfg)).toEqual([
      expect.stringMatching(/^sessions: remediation mode auto with no frequent schedule/),
    ]);
    expect(warnings(config)).toEqual([]);
  }, 180_000);
});
