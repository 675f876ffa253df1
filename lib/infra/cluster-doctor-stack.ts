import { Stack, type StackProps } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/schema';
import { AlertTopic } from './alert-topic';
import { CheckerAlarms } from './checker-alarms';
import { MonitoredCluster } from './monitored-cluster';
import { ScheduleDeadLetterQueue } from './schedule-dead-letter-queue';
import { StateTable } from './state-table';

export interface ClusterDoctorStackProps extends StackProps {
  config: DeploymentConfig;
}

/**
 * The cluster-doctor service (DESIGN §2): one alert topic, one state table and one dead-letter queue
 * shared by every cluster; per cluster, a check and a remediation function in its VPC, its schedules
 * and its alarms.
 */
export class ClusterDoctorStack extends Stack {
  readonly alerts: AlertTopic;
  readonly state: StateTable;
  readonly deadLetters: ScheduleDeadLetterQueue;
  readonly clusters: MonitoredCluster[];
  readonly alarms: CheckerAlarms;

  constructor(scope: Construct, id: string, props: ClusterDoctorStackProps) {
    super(scope, id, props);
    const { config } = props;
    const alarmNamePrefix = `${this.stackName}-`;

    this.alerts = new AlertTopic(this, 'Alerts', {
      clusters: config.clusters,
      alarmEmail: config.alarmEmail,
      alarmNamePrefix,
    });
    this.state = new StateTable(this, 'State');
    this.deadLetters = new ScheduleDeadLetterQueue(this, 'ScheduleDeadLetters');
    const scheduleGroup = new scheduler.ScheduleGroup(this, 'Schedules');

    this.clusters = config.clusters.map(
      (cluster) =>
        new MonitoredCluster(this, cluster.name, {
          cluster,
          timeoutMs: config.timeoutMs,
          topic: this.alerts,
          table: this.state,
          deadLetterQueue: this.deadLetters.queue,
          scheduleGroup,
        }),
    );

    this.alarms = new CheckerAlarms(this, 'Alarms', {
      topic: this.alerts.topic,
      pager: this.alerts.pager,
      alarmNamePrefix,
      deadLetterQueue: this.deadLetters.queue,
      clusters: this.clusters.map((monitored) => ({
        name: monitored.name,
        schedules: monitored.schedule.schedules,
        check: monitored.check.function,
        remediation: monitored.remediation.function,
      })),
    });
  }
}
