import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_SUCCEEDED_METRIC, FUNCTION_ENV } from '../../lib/config/function-env';
import type { ClusterConfig, DeploymentConfig } from '../../lib/config/schema';
import type { ClusterDoctorStack } from '../../lib/infra/cluster-doctor-stack';
import type { MonitoredCluster } from '../../lib/infra/monitored-cluster';
import { buildStack, normalize, roleStatements, type Statement } from './build-stack';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let stack: ClusterDoctorStack;
let config: DeploymentConfig;
let template: Template;
let resources: Resources;

beforeAll(() => {
  ({ stack, config } = buildStack());
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

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

const resolve = (value: unknown) => stack.resolve(value);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const clusterNamed = (name: string) => {
  const monitored = stack.clusters.find((cluster) => cluster.name === name);
  if (!monitored) throw new Error(`no cluster ${name}`);
  return monitored;
};
const configOf = (monitored: MonitoredCluster): ClusterConfig => {
  const cluster = config.clusters.find((c) => c.name === monitored.name);
  if (!cluster) throw new Error(`no config for ${monitored.name}`);
  return cluster;
};
const functionProps = (fn: { node: { defaultChild?: unknown } }) => {
  const props = resources[logicalId(fn)]?.Properties;
  if (!props) throw new Error('function not in template');
  return props;
};

/** The statements a cluster function's role must hold, and no others. */
function expectedStatements(monitored: MonitoredCluster, role: 'check' | 'remediation') {
  const cluster = configOf(monitored);
  const own = role === 'check' ? monitored.check : monitored.remediation;
  const statements: Statement[] = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: resolve(own.logGroup.logGroupArn),
    },
    { Effect: 'Allow', Action: ENI_ACTIONS, Resource: '*' },
    { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: cluster.secretArn },
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
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [cluster.name, `${cluster.name}#*`] },
      },
    },
  ];
  // Invocations that failed for good go to the dead-letter queue (the on-failure destination).
  statements.push({
    Effect: 'Allow',
    Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
    Resource: resolve(stack.deadLetters.queue.queueArn),
  });
  // A customer-managed key for the secret: decrypt with it, and only through Secrets Manager.
  if (cluster.secretKmsKeyArn)
    statements.push({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: cluster.secretKmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` } },
    });
  if (role === 'check')
    statements.push({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: resolve(monitored.remediation.function.functionArn),
    });
  return normalize(statements);
}

describe('cluster functions', () => {
  it('run Node.js 22 on arm64, bundled, with source maps enabled', () => {
    template.resourceCountIs('AWS::Lambda::Function', config.clusters.length * 2);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it("run in their own cluster's subnets and security groups", () => {
    for (const monitored of stack.clusters) {
      const { vpc } = configOf(monitored);
      for (const fn of [monitored.check.function, monitored.remediation.function]) {
        expect(functionProps(fn).VpcConfig).toEqual({
          SubnetIds: vpc.subnetIds,
          SecurityGroupIds: vpc.securityGroupIds,
        });
      }
    }
  });

  it('never modify the imported security groups', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  it('get non-secret configuration in their environment', () => {
    const orders = clusterNamed('orders-cache');
    const cluster = configOf(orders);
    const env = (functionProps(orders.check.function).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env).toEqual({
      [FUNCTION_ENV.cluster]: 'orders-cache',
      [FUNCTION_ENV.seeds]: cluster.seeds.join(','),
      [FUNCTION_ENV.secretArn]: cluster.secretArn,
      [FUNCTION_ENV.tls]: 'verify',
      [FUNCTION_ENV.timeoutMs]: String(config.timeoutMs),
      [FUNCTION_ENV.topicArn]: resolve(stack.alerts.topic.topicArn),
      [FUNCTION_ENV.tableName]: resolve(stack.state.table.tableName),
      [FUNCTION_ENV.mode]: 'dry-run',
      [FUNCTION_ENV.allow]: 'stabilize-open-slot,assign-uncovered-slots',
      [FUNCTION_ENV.settleMs]: '60000',
      [FUNCTION_ENV.remediationFunction]: resolve(orders.remediation.function.functionName),
      NODE_OPTIONS: '--enable-source-maps',
    });
    const remediationEnv = (functionProps(orders.remediation.function).Environment as { Variables: object })
      .Variables;
    expect(remediationEnv).not.toHaveProperty(FUNCTION_ENV.remediationFunction);
  });

  it('give remediation reserved concurrency 1 and no retries; checks no reservation and no retries (the next tick is the retry)', () => {
    for (const monitored of stack.clusters) {
      expect(functionProps(monitored.remediation.function).ReservedConcurrentExecutions).toBe(1);
      expect(functionProps(monitored.check.function)).not.toHaveProperty('ReservedConcurrentExecutions');
    }
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolve(clusterNamed('orders-cache').remediation.function.functionName),
      MaximumRetryAttempts: 0,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolve(clusterNamed('orders-cache').check.function.functionName),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('send invocations that failed for good to the dead-letter queue, and fit the Lambda limit', () => {
    for (const monitored of stack.clusters) {
      for (const fn of [monitored.check.function, monitored.remediation.function]) {
        template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: resolve(fn.functionName),
          DestinationConfig: { OnFailure: { Destination: resolve(stack.deadLetters.queue.queueArn) } },
        });
      }
      expect(functionProps(monitored.remediation.function).Timeout).toBe(900);
      // timeoutMs 10 s: two observations (the second after re-reading a rotated secret) and 60 s.
      expect(functionProps(monitored.check.function).Timeout).toBe(80);
    }
  });

  it('write to log groups of their own, kept three months', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', config.clusters.length * 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const orders = clusterNamed('orders-cache');
    expect(functionProps(orders.check.function).LoggingConfig).toEqual({
      LogGroup: resolve(orders.check.logGroup.logGroupName),
    });
  });
});

describe('least-privilege IAM', () => {
  it('gives each check role exactly: its logs, the VPC, its secret, this topic and key, its table items, its remediation', () => {
    for (const monitored of stack.clusters) {
      expect(normalize(roleStatements(resources, logicalId(monitored.check.role)))).toEqual(
        expectedStatements(monitored, 'check'),
      );
    }
  });

  it('gives each remediation role the same minus any invoke permission', () => {
    for (const monitored of stack.clusters) {
      expect(normalize(roleStatements(resources, logicalId(monitored.remediation.role)))).toEqual(
        expectedStatements(monitored, 'remediation'),
      );
    }
  });

  it('attaches no managed policies', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it("lets only the cluster's own check role invoke its remediation function, and nothing else", () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    for (const monitored of stack.clusters) {
      const remediationArn = JSON.stringify(resolve(monitored.remediation.function.functionArn));
      const remediationName = JSON.stringify(resolve(monitored.remediation.function.functionName));
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
      expect(holders).toEqual([logicalId(monitored.check.role)]);
    }
  });

  it('grants no wildcard resource except the VPC network-interface actions', () => {
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      for (const statement of roleStatements(resources, id)) {
        if (statement.Resource === '*') expect([statement.Action].flat().sort()).toEqual(ENI_ACTIONS);
        else expect(JSON.stringify(statement.Resource)).not.toContain('*');
        expect([statement.Action].flat().every((action) => !action.endsWith('*'))).toBe(true);
      }
    }
  });

  it('lets the scheduler role of a cluster invoke its check function and send to the dead-letter queue, only', () => {
    for (const monitored of stack.clusters) {
      const target = resources[logicalId(monitored.schedule.nightly)]?.Properties.Target as {
        RoleArn: { 'Fn::GetAtt': [string, string] };
      };
      expect(normalize(roleStatements(resources, target.RoleArn['Fn::GetAtt'][0]))).toEqual(
        normalize([
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: resolve(monitored.check.function.functionArn),
          },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resolve(stack.deadLetters.queue.queueArn) },
        ]),
      );
    }
  });
});

describe('schedules', () => {
  it('start each nightly check at the configured cron and time zone, with the cluster and kind as input', () => {
    for (const monitored of stack.clusters) {
      const { nightly } = configOf(monitored).schedules;
      expect(resources[logicalId(monitored.schedule.nightly)]?.Properties).toMatchObject({
        ScheduleExpression: nightly.cron,
        ScheduleExpressionTimezone: nightly.timeZone,
        State: 'ENABLED',
        Target: {
          Arn: resolve(monitored.check.function.functionArn),
          Input: JSON.stringify({ cluster: monitored.name, kind: 'nightly' }),
        },
      });
    }
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: { Input: '{"cluster":"orders-cache","kind":"nightly"}' },
    });
  });

  it('add a frequent check only where one is configured', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: { Input: '{"cluster":"orders-cache","kind":"frequent"}' },
    });
    expect(clusterNamed('sessions').schedule.frequent).toBeUndefined();
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
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alarm:ClusterDoctor-\\*$')])],
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
    // Listed in every cluster, or the alarm address: no filter at all, so the alarms reach them too.
    expect(byEndpoint['redis-oncall@example.com']).not.toHaveProperty('FilterPolicy');
    expect(byEndpoint['platform-oncall@example.com']).not.toHaveProperty('FilterPolicy');
    // Listed in some clusters only: just those clusters' messages.
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
  const topicRef = () => [resolve(stack.alerts.topic.topicArn)];
  const bothRefs = () => [resolve(stack.alerts.topic.topicArn), resolve(stack.alerts.pager.topicArn)];

  it("say a cluster's checker is dead after a window from its own schedule, page, and say when it clears", () => {
    // orders-cache runs every 5 minutes: three empty 5-minute periods. sessions is nightly only: 26 h.
    const expected = { 'orders-cache': { Period: 300, periods: 3 }, sessions: { Period: 3600, periods: 26 } };
    for (const monitored of stack.clusters) {
      const { Period, periods } = expected[monitored.name as keyof typeof expected];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ClusterDoctor-${monitored.name}.no-successful-check`,
        Namespace: CHECK_SUCCEEDED_METRIC.namespace,
        MetricName: CHECK_SUCCEEDED_METRIC.name,
        Dimensions: [{ Name: CHECK_SUCCEEDED_METRIC.dimension, Value: monitored.name }],
        Statistic: 'Sum',
        Period,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        AlarmActions: bothRefs(),
        OKActions: bothRefs(),
      });
    }
  });

  it('page when a remedy loses keys', () => {
    for (const monitored of stack.clusters) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ClusterDoctor-${monitored.name}.keys-lost`,
        Namespace: CHECK_SUCCEEDED_METRIC.namespace,
        MetricName: 'KeysLost',
        Dimensions: [{ Name: CHECK_SUCCEEDED_METRIC.dimension, Value: monitored.name }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: bothRefs(),
        OKActions: bothRefs(),
      });
    }
  });

  it('keep within what CloudWatch accepts: period x evaluation periods at most 7 days (1 day under 1 h)', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      const { Period, EvaluationPeriods, Metrics } = alarm.Properties as {
        Period?: number;
        EvaluationPeriods: number;
        Metrics?: { MetricStat?: { Period: number } }[];
      };
      const period = Period ?? Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 0;
      expect(period * EvaluationPeriods).toBeLessThanOrEqual(period >= 3600 ? 7 * 86400 : 86400);
    }
  });

  it("alarm on every check and remediation function's errors", () => {
    for (const monitored of stack.clusters) {
      for (const fn of [monitored.check.function, monitored.remediation.function]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: resolve(fn.functionName) }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: topicRef(),
          OKActions: topicRef(),
        });
      }
    }
  });

  it('alarm on throttled invocations and dropped asynchronous events of both functions', () => {
    for (const monitored of stack.clusters) {
      const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === `ClusterDoctor-${monitored.name}-throttled-or-dropped`,
      );
      const metrics = (alarm?.Properties.Metrics ?? []) as {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: unknown }[] } };
      }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe('ct + rt + cd + rd');
      const watched = metrics
        .filter((m) => m.MetricStat)
        .map((m) => [m.MetricStat?.Metric.MetricName, m.MetricStat?.Metric.Dimensions[0]?.Value]);
      const check = resolve(monitored.check.function.functionName);
      const remediation = resolve(monitored.remediation.function.functionName);
      expect(watched).toEqual(
        expect.arrayContaining([
          ['Throttles', check],
          ['Throttles', remediation],
          ['AsyncEventsDropped', check],
          ['AsyncEventsDropped', remediation],
        ]),
      );
    }
  });

  it('alarm when a scheduled check could not be delivered', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: resolve(stack.deadLetters.queue.queueName) }],
      AlarmActions: topicRef(),
      OKActions: topicRef(),
    });
  });

  it('send every alarm to the topic (the paging ones to the pager too), under names the topic policies admit', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(config.clusters.length * 5 + 1);
    for (const alarm of alarms) {
      const name = String(alarm.Properties.AlarmName);
      expect(name).toMatch(/^ClusterDoctor-/);
      const pages = /\.(no-successful-check|keys-lost)$/.test(name);
      expect(alarm.Properties.AlarmActions).toEqual(pages ? bothRefs() : topicRef());
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
  });

  it("route the pager to each phone by its clusters' alarm names (CloudWatch sets no attributes)", () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter(
      (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(resolve(stack.alerts.pager.topicArn)),
    );
    expect(subscriptions.map((s) => s.Properties.Protocol)).toEqual(['sms']);
    expect(subscriptions[0]?.Properties).toMatchObject({
      Endpoint: '+33612345678',
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { AlarmName: [{ prefix: 'ClusterDoctor-orders-cache.' }] },
    });
  });
});

describe('synth-time advice', () => {
  const warnings = (cfg: DeploymentConfig) =>
    Annotations.fromStack(buildStack(cfg).stack)
      .findWarning('*', Match.stringLikeRegexp('remediation mode auto'))
      .map((w) => String(w.entry.data));

  it('warns when a cluster remediates in auto mode with only the nightly schedule', () => {
    const [orders, sessions] = config.clusters as [ClusterConfig, ClusterConfig];
    const auto = { mode: 'auto' as const, allow: ['stabilize-open-slot' as const], settleMs: 60_000 };
    const cfg: DeploymentConfig = {
      ...config,
      clusters: [
        { ...orders, remediation: auto },
        { ...sessions, remediation: auto },
      ],
    };
    expect(warnings(cfg)).toEqual([
      expect.stringMatching(/^sessions: remediation mode auto with no frequent schedule/),
    ]);
    expect(warnings(config)).toEqual([]);
  });
});
