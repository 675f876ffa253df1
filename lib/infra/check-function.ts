import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { toPlacementEnv } from '../config/function-env';
import type { ClusterConfig, PlacementConfig } from '../config/schema';
import { checkWorstCaseS } from '../config/time-budget';
import type { AlertTopic } from './alert-topic';
import { PlacementFunction } from './placement-function';
import type { RemediationFunction } from './remediation-function';
import type { StateTable } from './state-table';

export interface CheckFunctionProps {
  placement: PlacementConfig;
  clusters: ClusterConfig[];
  functionName: string;
  timeoutMs: number;
  topic: AlertTopic;
  table: StateTable;
  /** The only function this one may invoke (asynchronously, so its timeout need not cover a remedy). */
  remediation: RemediationFunction;
  /** The placement's settings document. */
  settings: lambda.ILayerVersion;
  /** Where an invocation that failed for good is handed (the failure reporter). */
  onFailure: lambda.IDestination;
}

/**
 * Observes one cluster per invocation (the cluster its schedule names), runs the checks, notifies,
 * and hands planned remedies to the placement's remediation function. Each schedule's invocation is
 * its own, so clusters are checked side by side, never one after another.
 */
export class CheckFunction extends PlacementFunction {
  constructor(scope: Construct, id: string, props: CheckFunctionProps) {
    const remediation = props.remediation.function;
    const names = props.clusters.map((cluster) => cluster.name);
    super(scope, id, {
      placement: props.placement,
      clusters: props.clusters,
      functionName: props.functionName,
      entry: 'check.ts',
      description: `cluster-doctor: checks the clusters of ${props.placement.name}`,
      // One observation under its deadline (two when the secret was rotated), then state,
      // notification and the hand-off.
      timeout: Duration.seconds(checkWorstCaseS(props.timeoutMs)),
      environment: toPlacementEnv({
        topicArn: props.topic.topic.topicArn,
        tableName: props.table.table.tableName,
        remediationFunction: remediation.functionName,
      }),
      statements: [
        ...props.topic.publishStatements(),
        ...props.table.clusterStatements(names),
        // The unqualified ARN only (grantInvoke would add `:*`, every version and alias).
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [remediation.functionArn] }),
      ],
      // No retries: the next tick is the retry. Retries of a persistent failure only multiplied its
      // messages; a schedule's event older than a few minutes describes a cluster that has moved on.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
      settings: props.settings,
      onFailure: props.onFailure,
    });
  }
}
