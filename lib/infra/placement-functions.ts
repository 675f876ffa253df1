import { Annotations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { placementFunctionNames } from '../config/function-env';
import { type PlacementSettings, SETTINGS_LAYER } from '../config/placement-settings';
import type { ClusterConfig, PlacementConfig } from '../config/schema';
import type { AlertTopic } from './alert-topic';
import { CheckFunction } from './check-function';
import { ClusterSchedule } from './cluster-schedule';
import { RemediationFunction } from './remediation-function';
import { SettingsLayer } from './settings-layer';
import type { StateTable } from './state-table';

export interface PlacementFunctionsProps {
  placement: PlacementConfig;
  /** The clusters placed here. */
  clusters: ClusterConfig[];
  /** Function names start with it (lib/config/function-env.ts `placementFunctionNames`). */
  stackName: string;
  timeoutMs: number;
  topic: AlertTopic;
  table: StateTable;
  /** What the placement's clusters' runs may do, built from the configuration (placement-settings.ts). */
  settings: PlacementSettings;
  /** Where schedules that could not be delivered go. */
  deadLetterQueue: sqs.IQueue;
  /** Where the functions' failed invocations go: the failure reporter. */
  onFailure: lambda.IDestination;
  scheduleGroup: scheduler.IScheduleGroup;
}

/**
 * Everything one network placement gets: a check and a remediation function in its VPC serving the
 * clusters placed there, and each cluster's own schedules invoking the check with its name.
 */
export class PlacementFunctions extends Construct {
  readonly placement: PlacementConfig;
  readonly clusters: ClusterConfig[];
  readonly settings: SettingsLayer;
  readonly check: CheckFunction;
  readonly remediation: RemediationFunction;
  readonly schedules: ClusterSchedule[];

  constructor(scope: Construct, id: string, props: PlacementFunctionsProps) {
    super(scope, id);
    this.placement = props.placement;
    this.clusters = props.clusters;
    for (const cluster of props.clusters)
      if (cluster.remediation.mode === 'auto' && !cluster.schedules.frequent) {
        // Auto remediation acts on a problem two consecutive checks saw: nightly only means a day late.
        Annotations.of(this).addWarningV2(
          `cluster-doctor:auto-without-frequent:${cluster.name}`,
          `${cluster.name}: remediation mode auto with no frequent schedule acts a day after a problem appears; add schedules.frequent`,
        );
      }
    const names = placementFunctionNames(props.stackName, props.placement.name);
    this.settings = new SettingsLayer(this, 'Settings', {
      path: SETTINGS_LAYER.placement,
      document: props.settings,
      description: `cluster-doctor: what the runs of the clusters of ${props.placement.name} may do`,
    });
    const shared = {
      placement: props.placement,
      clusters: props.clusters,
      timeoutMs: props.timeoutMs,
      topic: props.topic,
      table: props.table,
      settings: this.settings.layer,
      onFailure: props.onFailure,
    };
    this.remediation = new RemediationFunction(this, 'Remediation', {
      ...shared,
      functionName: names.remediation,
    });
    this.check = new CheckFunction(this, 'Check', {
      ...shared,
      functionName: names.check,
      remediation: this.remediation,
    });
    this.schedules = props.clusters.map(
      (cluster) =>
        new ClusterSchedule(this, cluster.name, {
          cluster,
          target: this.check.function,
          deadLetterQueue: props.deadLetterQueue,
          group: props.scheduleGroup,
        }),
    );
  }
}
