import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../config/function-env';
import type { ClusterConfig } from '../config/schema';
import type { AlarmNames } from './alarm-names';
import { stalenessOf } from './staleness';

export interface WatchedPlacement {
  name: string;
  clusters: ClusterConfig[];
  check: lambda.IFunction;
  remediation: lambda.IFunction;
}

export interface CheckerAlarmsProps {
  /** Where every alarm notifies: its subscriptions route each alarm by its name (alarm-names.ts). */
  alarms: sns.ITopic;
  names: AlarmNames;
  placements: WatchedPlacement[];
  reporter: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
  /** The topics whose failed deliveries alarm (the message topic and this one). */
  topics: sns.ITopic[];
  /** SMS spend this month, in USD, past which the deployment's people are warned. */
  smsSpendAlarmUsd: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The checker watching itself with CloudWatch alone, so that none of its alarms shares the failure
 * modes of the code it watches (no function, no schedule of ours stands between a dead checker and
 * the pager):
 * - per cluster, a **dead-man switch** on `CheckRan`: no check of the cluster ran to its end, and no
 *   failed one was reported, within the window from its own schedule. Missing data is `missing`: a
 *   new cluster's alarm stays INSUFFICIENT_DATA, silent, until its first run, and the alarm pages on
 *   INSUFFICIENT_DATA after that. A check that ran but could not observe the cluster is alive: it
 *   says "cannot observe" itself. Per cluster in `auto` mode, **keys lost** by a remedy;
 * - per placement, its functions failing, throttled or dropping events: for the deployment's
 *   operators (the alarm email), since each cluster's people already get their own cluster's
 *   "failing" message from the handler or the failure reporter, once;
 * - per deployment, failures that may have gone unreported (the failure reporter failing, or new
 *   dead letters: each new message, not the backlog), SNS deliveries failing, and the month's SMS
 *   spend nearing the account's limit: for every cluster's people, once each.
 * Each notifies the alarm topic on every state change; who hears it is the subscriptions' business.
 */
export class CheckerAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: CheckerAlarmsProps) {
    super(scope, id);
    const { names } = props;
    const notify = new actions.SnsAction(props.alarms);
    const add = (name: string, alarmProps: Omit<cloudwatch.AlarmProps, 'alarmName'>) => {
      const alarm = new cloudwatch.Alarm(this, name, { ...alarmProps, alarmName: name });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms.push(alarm);
      return alarm;
    };
    const clusterMetric = (cluster: string, metricName: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { [METRICS.cluster]: cluster },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    /** A sum of metrics where a metric without data counts 0 (Lambda emits nothing when idle). */
    const sum = (metrics: Record<string, cloudwatch.IMetric>) =>
      new cloudwatch.MathExpression({
        expression: Object.keys(metrics)
          .map((key) => `FILL(${key}, 0)`)
          .join(' + '),
        usingMetrics: metrics,
        period: FIVE_MINUTES,
      });
    const atLeastOne = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    for (const placement of props.placements) {
      for (const cluster of placement.clusters) {
        const { period, periods, windowMinutes } = stalenessOf(cluster.schedules);
        const dead = add(names.cluster(cluster.name, 'checker-dead'), {
          alarmDescription: `Checker dead for cluster ${cluster.name}: no scheduled check of it ran, and no failed one was reported, in ${windowMinutes} min (its schedule, its placement's functions and the failure reporter are all silent). The cluster itself may be fine: a check that runs and cannot observe it says so itself.`,
          metric: clusterMetric(cluster.name, METRICS.checkRan, period),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: periods,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        });
        dead.addInsufficientDataAction(notify);
        if (cluster.remediation.mode === 'auto')
          add(names.cluster(cluster.name, 'keys-lost'), {
            alarmDescription: `A remedy on cluster ${cluster.name} saw keys disappear from the slots it touched: stop its remediation (mode) and compare key counts. Its remediation message says which slots.`,
            metric: clusterMetric(cluster.name, METRICS.keysLost, FIVE_MINUTES),
            ...atLeastOne,
          });
      }
      const lambdaMetric = (fn: lambda.IFunction, metricName: string) =>
        fn.metric(metricName, { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
      add(names.placement(placement.name, 'functions-failing'), {
        alarmDescription: `Placement ${placement.name} (clusters ${placement.clusters.map((c) => c.name).join(', ')}): its check or remediation function failed, was throttled, or dropped an event. Each cluster's own message says which of them and why.`,
        metric: sum({
          ce: lambdaMetric(placement.check, 'Errors'),
          re: lambdaMetric(placement.remediation, 'Errors'),
          ct: lambdaMetric(placement.check, 'Throttles'),
          rt: lambdaMetric(placement.remediation, 'Throttles'),
          cd: lambdaMetric(placement.check, 'AsyncEventsDropped'),
          rd: lambdaMetric(placement.remediation, 'AsyncEventsDropped'),
        }),
        ...atLeastOne,
      });
    }

    add(names.deployment('failures-unreported'), {
      alarmDescription:
        'A failure may not have been reported, to any cluster of this deployment: the failure reporter failed or was throttled, or new messages reached the dead-letter queue (a scheduled check EventBridge Scheduler could not deliver, a failed invocation the reporter could not take). Alarms on new messages, not on the backlog; see the queue.',
      metric: sum({
        e: props.reporter.metric('Errors', { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        t: props.reporter.metric('Throttles', { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        d: props.deadLetterQueue.metricNumberOfMessagesSent({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.SUM,
        }),
      }),
      ...atLeastOne,
    });
    add(names.deployment('sns-delivery-failures'), {
      alarmDescription:
        'SNS could not deliver messages (an SMS spend limit reached, an opted-out or unreachable number, a bounced address): someone was not told.',
      metric: sum(
        Object.fromEntries(
          props.topics.map((topic, i) => [
            `f${i}`,
            topic.metricNumberOfNotificationsFailed({
              period: FIVE_MINUTES,
              statistic: cloudwatch.Stats.SUM,
            }),
          ]),
        ),
      ),
      ...atLeastOne,
    });
    add(names.deployment('sms-spend'), {
      alarmDescription: `This month's SMS spend in the region reached ${props.smsSpendAlarmUsd} USD: past the account's SMS spend limit, SNS stops sending SMS and pages stop. Raise the limit (a support case) or lower the traffic.`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.hours(1),
      }),
      threshold: props.smsSpendAlarmUsd,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
