import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHECK_SUCCEEDED_METRIC, KEYS_LOST_METRIC, WATCHDOG_METRICS } from '../config/function-env';

export interface WatchedPlacement {
  name: string;
  check: lambda.IFunction;
  remediation: lambda.IFunction;
}

export interface CheckerAlarmsProps {
  topic: sns.ITopic;
  /** Alarms that must wake someone (stale clusters, keys lost, a silent watchdog) also go here: the SMS subscriptions. */
  pager: sns.ITopic;
  /** Every alarm name starts with it (the topic lets only these alarms publish). */
  alarmNamePrefix: string;
  placements: WatchedPlacement[];
  deadLetterQueue: sqs.IQueue;
  /** The deployment's name in the watchdog's metrics. */
  deployment: string;
}

/**
 * A placement's alarm that pages is named `<prefix><placement>.<what>`: a dot never occurs in a
 * placement name, so `<prefix><placement>.` selects exactly that placement's (the pager's SMS filter
 * relies on it).
 */
const pagerAlarmSuffix = (placement: string, what: string) => `${placement}.${what}`;
export const pagerAlarmPrefix = (prefix: string, placement: string) => `${prefix}${placement}.`;

/**
 * The checker watching itself, with a fixed number of alarms per placement and per deployment, not per
 * cluster: the placement functions' errors, throttles and dropped events, keys lost by a remedy there;
 * the watchdog's stale clusters and its own silence; undelivered schedules. Each has an OK action so
 * the recipients learn when it clears. Stale clusters, lost keys and a silent watchdog also page.
 * Which cluster: the watchdog's and the remediation's own messages name it, with its `cluster` attribute.
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

    for (const placement of props.placements) {
      for (const [role, fn] of [
        ['check', placement.check],
        ['remediation', placement.remediation],
      ] as const) {
        add(`${placement.name}-${role}-errors`, {
          alarmDescription: `The ${role} function of placement ${placement.name} failed (the function also notified what failed and for which cluster, once).`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // No invocation is no error; the watchdog is the one that notices silence.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      const lambdaMetric = (fn: lambda.IFunction, metricName: string) =>
        fn.metric(metricName, { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
      add(`${placement.name}-throttled-or-dropped`, {
        alarmDescription: `An invocation of placement ${placement.name}'s check or remediation function was throttled or its asynchronous event dropped: a check or a remedy did not run.`,
        metric: new cloudwatch.MathExpression({
          expression: 'ct + rt + cd + rd',
          usingMetrics: {
            ct: lambdaMetric(placement.check, 'Throttles'),
            rt: lambdaMetric(placement.remediation, 'Throttles'),
            cd: lambdaMetric(placement.check, 'AsyncEventsDropped'),
            rd: lambdaMetric(placement.remediation, 'AsyncEventsDropped'),
          },
          period: Duration.minutes(5),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      add(
        pagerAlarmSuffix(placement.name, 'keys-lost'),
        {
          alarmDescription: `A remedy in placement ${placement.name} saw keys disappear from the slots it touched: stop remediation and compare key counts (the remediation message names the cluster).`,
          metric: new cloudwatch.Metric({
            namespace: CHECK_SUCCEEDED_METRIC.namespace,
            metricName: KEYS_LOST_METRIC,
            dimensionsMap: { placement: placement.name },
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

    const watchdogMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: CHECK_SUCCEEDED_METRIC.namespace,
        metricName,
        dimensionsMap: { [WATCHDOG_METRICS.dimension]: props.deployment },
        statistic,
        period: Duration.minutes(5),
      });
    add(
      'stale-clusters',
      {
        alarmDescription:
          "Checker dead: the watchdog found clusters with no successful check within their schedule's window; its message names each one (and says when it recovers).",
        metric: watchdogMetric(WATCHDOG_METRICS.stale, cloudwatch.Stats.MAXIMUM),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // A silent watchdog is the next alarm's business.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
      { page: true },
    );
    add(
      'watchdog-silent',
      {
        alarmDescription:
          'The watchdog has not run for 15 minutes (it failed, or is not invoked): nobody is watching for dead checkers.',
        metric: watchdogMetric(WATCHDOG_METRICS.ran, cloudwatch.Stats.SUM),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
      { page: true },
    );

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
