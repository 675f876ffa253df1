import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHECK_SUCCEEDED_METRIC, KEYS_LOST_METRIC } from '../config/function-env';
import type { ClusterConfig } from '../config/schema';
import { stalenessOf } from './staleness';

export interface WatchedCluster {
  name: string;
  schedules: ClusterConfig['schedules'];
  check: lambda.IFunction;
  remediation: lambda.IFunction;
}

export interface CheckerAlarmsProps {
  topic: sns.ITopic;
  /** Alarms that must wake someone (checker dead, keys lost) also go here: the SMS subscriptions. */
  pager: sns.ITopic;
  /** Every alarm name starts with it (the topic lets only these alarms publish). */
  alarmNamePrefix: string;
  clusters: WatchedCluster[];
  deadLetterQueue: sqs.IQueue;
}

/**
 * A cluster's alarms that page are named `<prefix><cluster>.<what>`: a dot never occurs in a cluster
 * name, so `<prefix><cluster>.` selects exactly that cluster's (the pager's SMS filter relies on it).
 */
const pagerAlarmSuffix = (cluster: string, what: string) => `${cluster}.${what}`;
export const pagerAlarmPrefix = (prefix: string, cluster: string) => `${prefix}${cluster}.`;

/**
 * The checker watching itself: its errors, throttles and dropped events, its silence, keys lost by
 * a remedy, and its undelivered schedules go to the alert topic, each with an OK action so the
 * recipients learn when it clears. Silence and lost keys also page (the pager topic).
 */
export class CheckerAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: CheckerAlarmsProps) {
    super(scope, id);
    const prefix = props.alarmNamePrefix;
    const toTopic = new actions.SnsAction(props.topic);
    const toPager = new actions.SnsAction(props.pager);
    const add = (
      name: string,
      alarmProps: Omit<cloudwatch.AlarmProps, 'alarmName'>,
      options: { page?: boolean } = {},
    ) => {
      const alarm = new cloudwatch.Alarm(this, name, { ...alarmProps, alarmName: `${prefix}${name}` });
      for (const action of options.page ? [toTopic, toPager] : [toTopic]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      this.alarms.push(alarm);
    };

    for (const cluster of props.clusters) {
      for (const [role, fn] of [
        ['check', cluster.check],
        ['remediation', cluster.remediation],
      ] as const) {
        add(`${cluster.name}-${role}-errors`, {
          alarmDescription: `The ${role} function of ${cluster.name} failed (the function also notified what failed, once).`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // No invocation is no error; the staleness alarm is the one that notices silence.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      const lambdaMetric = (fn: lambda.IFunction, metricName: string) =>
        fn.metric(metricName, { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
      add(`${cluster.name}-throttled-or-dropped`, {
        alarmDescription: `An invocation of ${cluster.name}'s check or remediation function was throttled or its asynchronous event dropped: a check or a remedy did not run.`,
        metric: new cloudwatch.MathExpression({
          expression: 'ct + rt + cd + rd',
          usingMetrics: {
            ct: lambdaMetric(cluster.check, 'Throttles'),
            rt: lambdaMetric(cluster.remediation, 'Throttles'),
            cd: lambdaMetric(cluster.check, 'AsyncEventsDropped'),
            rd: lambdaMetric(cluster.remediation, 'AsyncEventsDropped'),
          },
          period: Duration.minutes(5),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const staleness = stalenessOf(cluster.schedules);
      add(
        pagerAlarmSuffix(cluster.name, 'no-successful-check'),
        {
          alarmDescription: `Checker dead: no successful check of ${cluster.name} in the last ${staleness.windowMinutes} minutes (${staleness.reason}).`,
          metric: new cloudwatch.Metric({
            namespace: CHECK_SUCCEEDED_METRIC.namespace,
            metricName: CHECK_SUCCEEDED_METRIC.name,
            dimensionsMap: { [CHECK_SUCCEEDED_METRIC.dimension]: cluster.name },
            statistic: cloudwatch.Stats.SUM,
            period: staleness.period,
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: staleness.periods,
          datapointsToAlarm: staleness.periods,
          // Missing data is breaching: a checker that never runs, or never succeeds, alarms too.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
        { page: true },
      );
      add(
        pagerAlarmSuffix(cluster.name, 'keys-lost'),
        {
          alarmDescription: `A remedy on ${cluster.name} saw keys disappear from the slots it touched: stop remediation and compare key counts (see the remediation message).`,
          metric: new cloudwatch.Metric({
            namespace: CHECK_SUCCEEDED_METRIC.namespace,
            metricName: KEYS_LOST_METRIC,
            dimensionsMap: { [CHECK_SUCCEEDED_METRIC.dimension]: cluster.name },
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
        { page: true },
      );
    }

    add('schedule-dead-letters', {
      alarmDescription:
        'EventBridge Scheduler could not deliver a scheduled check, or a function invocation failed for good; see the dead-letter queue.',
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
