import { Duration, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CheckKind } from '../config/function-env';
import type { CheckEvent } from '../config/placement-settings';
import type { ClusterConfig } from '../config/schema';

/** Scheduler only retries deliveries it could not make (throttling, service errors); handler errors retry in Lambda. */
export const SCHEDULE_RETRY = { retryAttempts: 3, maxEventAge: Duration.hours(1) } as const;

export interface ClusterScheduleProps {
  cluster: ClusterConfig;
  /** The check function of the cluster's placement. */
  target: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
  group: scheduler.IScheduleGroup;
}

/**
 * EventBridge Scheduler schedules that invoke one cluster's check: nightly (cron, time zone) and
 * optionally frequent. Each names the cluster and the kind of run to its placement's function.
 */
export class ClusterSchedule extends Construct {
  readonly nightly: scheduler.Schedule;
  readonly frequent?: scheduler.Schedule;
  /** The schedules as configured (the staleness alarm derives its window from them). */
  readonly schedules: ClusterConfig['schedules'];

  constructor(scope: Construct, id: string, props: ClusterScheduleProps) {
    super(scope, id);
    const { cluster } = props;
    this.schedules = cluster.schedules;
    const { nightly, frequent } = cluster.schedules;
    this.nightly = this.schedule(
      'Nightly',
      props,
      'nightly',
      scheduler.ScheduleExpression.expression(nightly.cron, TimeZone.of(nightly.timeZone)),
    );
    if (frequent)
      this.frequent = this.schedule(
        'Frequent',
        props,
        'frequent',
        scheduler.ScheduleExpression.expression(frequent.rate),
      );
  }

  private schedule(
    id: string,
    props: ClusterScheduleProps,
    kind: CheckKind,
    expression: scheduler.ScheduleExpression,
  ): scheduler.Schedule {
    // The name and the kind of run: what the run may do is the deployment's (its settings layer).
    const input: CheckEvent = { cluster: props.cluster.name, kind };
    return new scheduler.Schedule(this, id, {
      schedule: expression,
      scheduleGroup: props.group,
      description: `cluster-doctor: ${kind} check of ${props.cluster.name}`,
      target: new InvokeFunction(props.target, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        deadLetterQueue: props.deadLetterQueue,
        ...SCHEDULE_RETRY,
      }),
    });
  }
}

/**
 * Like `LambdaInvoke`, but the scheduler role may invoke the function's unqualified ARN only
 * (`LambdaInvoke` grants `:*` too, every version and alias, which nothing here uses).
 */
export class InvokeFunction extends ScheduleTargetBase implements scheduler.IScheduleTarget {
  constructor(
    private readonly fn: lambda.IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(props, fn.functionArn);
  }

  protected addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
  }
}
