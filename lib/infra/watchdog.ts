import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV } from '../config/function-env';
import { watchdogClusterList } from '../config/limits';
import type { ClusterConfig } from '../config/schema';
import type { AlertTopic } from './alert-topic';
import { InvokeFunction, SCHEDULE_RETRY } from './cluster-schedule';
import { deploymentFunction } from './deployment-function';
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
    const fn = deploymentFunction(this, {
      entry: 'watchdog.ts',
      functionName: props.functionName,
      description: 'cluster-doctor: names the clusters with no successful check within their window',
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: {
        [FUNCTION_ENV.tableName]: props.table.table.tableName,
        [FUNCTION_ENV.topicArn]: props.topic.topic.topicArn,
        [FUNCTION_ENV.deployment]: props.deployment,
        [FUNCTION_ENV.watchdogClusters]: watchdogClusterList(props.clusters),
      },
      statements: [...props.table.watchdogStatements(), ...props.topic.publishStatements()],
    });
    ({ function: this.function, role: this.role, logGroup: this.logGroup } = fn);
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
