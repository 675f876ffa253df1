import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV } from '../config/function-env';
import { watchdogClusterList } from '../config/limits';
import type { ClusterConfig } from '../config/schema';
import type { AlertTopic } from './alert-topic';
import { InvokeFunction, SCHEDULE_RETRY } from './cluster-schedule';
import { BUNDLING, FUNCTIONS_DIR } from './placement-function';
import type { StateTable } from './state-table';

export interface WatchdogProps {
  /** Every cluster of the deployment, each watched over the window of its own schedule. */
  clusters: ClusterConfig[];
  /** Names the deployment in the watchdog's metrics (their dimension). */
  deployment: string;
  functionName: string;
  topic: AlertTopic;
  table: StateTable;
  deadLetterQueue: sqs.IQueue;
  scheduleGroup: scheduler.IScheduleGroup;
}

/** How often the watchdog looks: the shortest staleness window is 15 min, so a stale cluster is named within 20. */
export const WATCHDOG_RATE = Duration.minutes(5);

/**
 * The one watchdog of a deployment (lib/service/watchdog.ts), run every 5 minutes: it reads each
 * cluster's last successful check from the table and names the stale ones. It needs no VPC: it talks
 * to DynamoDB and SNS only, never to a cluster.
 */
export class Watchdog extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: WatchdogProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cluster-doctor: the watchdog of every cluster of this deployment',
      inlinePolicies: {
        Access: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
            ...props.table.watchdogStatements(),
            ...props.topic.publishStatements(),
          ],
        }),
      },
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(FUNCTIONS_DIR, 'watchdog.ts'),
      handler: 'handler',
      functionName: props.functionName,
      description: 'cluster-doctor: names the clusters with no successful check within their window',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        [FUNCTION_ENV.tableName]: props.table.table.tableName,
        [FUNCTION_ENV.topicArn]: props.topic.topic.topicArn,
        [FUNCTION_ENV.deployment]: props.deployment,
        [FUNCTION_ENV.watchdogClusters]: watchdogClusterList(props.clusters),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: BUNDLING,
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project targets and tests (DESIGN §2); moving to 24 is a deliberate upgrade.',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(WATCHDOG_RATE),
      scheduleGroup: props.scheduleGroup,
      description: 'cluster-doctor: the watchdog',
      target: new InvokeFunction(this.function, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: props.deadLetterQueue,
        ...SCHEDULE_RETRY,
      }),
    });
  }
}
