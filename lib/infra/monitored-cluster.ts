import { Annotations } from 'aws-cdk-lib';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ClusterConfig } from '../config/schema';
import type { AlertTopic } from './alert-topic';
import { CheckFunction } from './check-function';
import { ClusterSchedule } from './cluster-schedule';
import { RemediationFunction } from './remediation-function';
import type { StateTable } from './state-table';

export interface MonitoredClusterProps {
  cluster: ClusterConfig;
  timeoutMs: number;
  topic: AlertTopic;
  table: StateTable;
  deadLetterQueue: sqs.IQueue;
  scheduleGroup: scheduler.IScheduleGroup;
}

/** Everything one cluster gets: its check and remediation functions and the schedules that start the check. */
export class MonitoredCluster extends Construct {
  readonly name: string;
  readonly check: CheckFunction;
  readonly remediation: RemediationFunction;
  readonly schedule: ClusterSchedule;

  constructor(scope: Construct, id: string, props: MonitoredClusterProps) {
    super(scope, id);
    this.name = props.cluster.name;
    if (props.cluster.remediation.mode === 'auto' && !props.cluster.schedules.frequent) {
      // Auto remediation acts on a problem two consecutive checks saw: nightly only means a day late.
      Annotations.of(this).addWarningV2(
        'cluster-doctor:auto-without-frequent',
        `${props.cluster.name}: remediation mode auto with no frequent schedule acts a day after a problem appears; add schedules.frequent`,
      );
    }
    const shared = {
      cluster: props.cluster,
      timeoutMs: props.timeoutMs,
      topic: props.topic,
      table: props.table,
      onFailure: props.deadLetterQueue,
    };
    this.remediation = new RemediationFunction(this, 'Remediation', shared);
    this.check = new CheckFunction(this, 'Check', { ...shared, remediation: this.remediation });
    this.schedule = new ClusterSchedule(this, 'Schedule', {
      cluster: props.cluster,
      target: this.check.function,
      deadLetterQueue: props.deadLetterQueue,
      group: props.scheduleGroup,
    });
  }
}
