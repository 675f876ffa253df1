import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHECK_SUCCEEDED_METRIC } from '../config/function-env';

/**
 * "No successful check in 26 h": 26 one-hour periods, all of them without a success. CloudWatch
 * allows a period × evaluation periods of up to 7 days once the period is 1 h or more (1 day below).
 * Missing data is breaching, so a checker that never runs, or never succeeds, alarms too.
 */
export const STALENESS = { period: Duration.hours(1), periods: 26 } as const;

export interface WatchedCluster {
  name: string;
  check: lambda.IFunction;
  remediation: lambda.IFunction;
}

export interface CheckerAlarmsProps {
  topic: sns.ITopic;
  /** Every alarm name starts with it (the topic lets only these alarms publish). */
  alarmNamePrefix: string;
  clusters: WatchedCluster[];
  deadLetterQueue: sqs.IQueue;
}

/** The checker watching itself: its errors, its silence and its undelivered schedules go to the alert topic. */
export class CheckerAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: CheckerAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.topic);
    const add = (name: string, alarmProps: Omit<cloudwatch.AlarmProps, 'alarmName'>) => {
      const alarm = new cloudwatch.Alarm(this, name, {
        ...alarmProps,
        alarmName: `${props.alarmNamePrefix}${name}`,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };

    for (const cluster of props.clusters) {
      for (const [role, fn] of [
        ['check', cluster.check],
        ['remediation', cluster.remediation],
      ] as const) {
        add(`${cluster.name}-${role}-errors`, {
          alarmDescription: `The ${role} function of ${cluster.name} failed.`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // No invocation is no error; the staleness alarm is the one that notices silence.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      add(`${cluster.name}-no-successful-check`, {
        alarmDescription: `No successful check of ${cluster.name} in the last ${STALENESS.periods} hours.`,
        metric: new cloudwatch.Metric({
          namespace: CHECK_SUCCEEDED_METRIC.namespace,
          metricName: CHECK_SUCCEEDED_METRIC.name,
          dimensionsMap: { [CHECK_SUCCEEDED_METRIC.dimension]: cluster.name },
          statistic: cloudwatch.Stats.SUM,
          period: STALENESS.period,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: STALENESS.periods,
        datapointsToAlarm: STALENESS.periods,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    add('schedule-dead-letters', {
      alarmDescription:
        'EventBridge Scheduler could not deliver a scheduled check; see the dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
