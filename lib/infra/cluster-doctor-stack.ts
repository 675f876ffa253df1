import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { deploymentDocumentOf, placementSettingsOf } from '../config/placement-settings';
import type { DeploymentConfig } from '../config/schema';
import { AlarmNames } from './alarm-names';
import { AlertTopic } from './alert-topic';
import { CheckerAlarms } from './checker-alarms';
import { FleetDashboard } from './dashboard';
import { FailureReporter } from './failure-reporter';
import { PlacementFunctions } from './placement-functions';
import { ScheduleDeadLetterQueue } from './schedule-dead-letter-queue';
import { StateTable } from './state-table';

export interface ClusterDoctorStackProps extends StackProps {
  config: DeploymentConfig;
}

/**
 * One deployment of cluster-doctor (DESIGN §2): the message and alarm topics, one state table, one
 * dead-letter queue, one failure reporter and one dashboard shared by every cluster; per network
 * placement, a check and a remediation function serving the clusters placed there, with their
 * settings layer; per cluster, its schedules and its dead-man alarm (CloudWatch alone).
 *
 * Upgrading in place: the topic, the pager, their key and subscriptions, the table, the queue and the
 * schedule group keep the construct paths (so the logical ids) of the one-function-pair-per-cluster
 * layout, so CloudFormation updates them and never replaces them: the table keeps its rows and the
 * topics their confirmed subscriptions (test/infra/upgrade.test.ts pins the ids).
 */
export class ClusterDoctorStack extends Stack {
  readonly alerts: AlertTopic;
  readonly state: StateTable;
  readonly deadLetters: ScheduleDeadLetterQueue;
  readonly placements: PlacementFunctions[];
  readonly reporter: FailureReporter;
  readonly alarms: CheckerAlarms;
  readonly dashboard: FleetDashboard;

  constructor(scope: Construct, id: string, props: ClusterDoctorStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = new AlarmNames(this.stackName);

    this.alerts = new AlertTopic(this, 'Alerts', {
      clusters: config.clusters,
      alarmEmail: config.alarmEmail,
      names,
    });
    this.state = new StateTable(this, 'State');
    this.deadLetters = new ScheduleDeadLetterQueue(this, 'ScheduleDeadLetters');
    const scheduleGroup = new scheduler.ScheduleGroup(this, 'Schedules');
    this.reporter = new FailureReporter(this, 'FailureReporter', {
      functionName: `${this.stackName}-report-failure`,
      document: deploymentDocumentOf(config),
      topic: this.alerts,
      table: this.state,
      deadLetterQueue: this.deadLetters.queue,
    });

    this.placements = config.placements.map(
      (placement) =>
        new PlacementFunctions(this, placement.name, {
          placement,
          clusters: config.clusters.filter((cluster) => cluster.placement === placement.name),
          stackName: this.stackName,
          timeoutMs: config.timeoutMs,
          topic: this.alerts,
          table: this.state,
          settings: placementSettingsOf(config, placement.name),
          deadLetterQueue: this.deadLetters.queue,
          onFailure: this.reporter.destination,
          scheduleGroup,
        }),
    );

    this.alarms = new CheckerAlarms(this, 'Alarms', {
      alarms: this.alerts.pager,
      names,
      placements: this.placements.map((p) => ({
        name: p.placement.name,
        clusters: p.clusters,
        check: p.check.function,
        remediation: p.remediation.function,
      })),
      reporter: this.reporter.function,
      deadLetterQueue: this.deadLetters.queue,
      topics: [this.alerts.topic, this.alerts.pager],
      smsSpendAlarmUsd: Math.round(config.smsMonthlySpendLimitUsd * 80) / 100,
    });
    this.dashboard = new FleetDashboard(this, 'Dashboard', { placements: this.placements });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('AlertTopicArn', this.alerts.topic.topicArn, 'Every report, remediation and alarm');
    output('PagerTopicArn', this.alerts.pager.topicArn, 'Every CloudWatch alarm of the stack');
    output('StateTableName', this.state.table.tableName, 'What runs remember, and the locks');
    output(
      'FailureReporterFunctionName',
      this.reporter.function.functionName,
      "Reports the placement functions' failed invocations",
    );
    output('DashboardName', this.dashboard.dashboard.dashboardName, 'Status, findings, durations, actions');
    for (const p of this.placements) {
      const clusters = p.clusters.map((c) => c.name).join(', ');
      output(`${p.placement.name}-check`, p.check.function.functionName, `Checks ${clusters}`);
      output(`${p.placement.name}-fix`, p.remediation.function.functionName, `Remediates ${clusters}`);
    }
  }
}
