import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS } from '../config/function-env';
import type { PlacementFunctions } from './placement-functions';

export interface FleetDashboardProps {
  placements: PlacementFunctions[];
}

const PERIOD = Duration.minutes(5);
const clusterMetric = (cluster: string, metricName: string, statistic: string, label = cluster) =>
  new cloudwatch.Metric({
    namespace: METRICS.namespace,
    metricName,
    dimensionsMap: { [METRICS.cluster]: cluster },
    statistic,
    period: PERIOD,
    label,
  });

/** Remediation metrics of every cluster in the namespace (one search: a fleet's worth of lines). */
const search = (metricName: string, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS.namespace},${METRICS.cluster}} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });

/**
 * One CloudWatch dashboard per deployment: per placement, each cluster's status (0 ok, 1 warning,
 * 2 critical, 3 unknown), findings and check duration, and the placement functions' errors; for the
 * deployment, the checks that ran and the remediation actions.
 */
export class FleetDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: FleetDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global to an account: the region keeps two deployments' names apart.
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Checks that ran, every cluster (the dead-man switches watch these)',
        left: [search(METRICS.checkRan, 'checks')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Remediation actions, every cluster',
        left: [
          search('ActionsApplied', 'applied'),
          search('ActionsRefused', 'refused'),
          search('ActionsFailed', 'failed'),
        ],
        right: [search('KeysMoved', 'keys moved')],
        width: 16,
      }),
    );
    for (const placement of props.placements) {
      const names = placement.clusters.map((cluster) => cluster.name);
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${placement.placement.name}: status (0 ok, 1 warning, 2 critical, 3 unknown)`,
          left: names.map((name) => clusterMetric(name, 'Status', cloudwatch.Stats.MAXIMUM)),
          leftYAxis: { min: 0, max: 3 },
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${placement.placement.name}: findings`,
          left: names.map((name) => clusterMetric(name, 'Findings', cloudwatch.Stats.MAXIMUM)),
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${placement.placement.name}: check duration (ms), function errors`,
          left: names.map((name) => clusterMetric(name, 'CheckDuration', cloudwatch.Stats.MAXIMUM)),
          right: [
            placement.check.function.metricErrors({ period: PERIOD, label: 'check errors' }),
            placement.remediation.function.metricErrors({ period: PERIOD, label: 'remediation errors' }),
          ],
          width: 8,
        }),
      );
    }
  }
}
