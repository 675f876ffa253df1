import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { toPlacementEnv } from '../config/function-env';
import type { ClusterConfig, PlacementConfig } from '../config/schema';
import { LAMBDA_LIMIT_S } from '../config/time-budget';
import type { AlertTopic } from './alert-topic';
import { PlacementFunction } from './placement-function';
import type { StateTable } from './state-table';

export interface RemediationFunctionProps {
  placement: PlacementConfig;
  clusters: ClusterConfig[];
  functionName: string;
  timeoutMs: number;
  topic: AlertTopic;
  table: StateTable;
  /** The placement's settings document. */
  settings: lambda.ILayerVersion;
  /** Where an invocation that failed for good is handed (the failure reporter). */
  onFailure: lambda.IDestination;
}

/**
 * Runs the guarded remedies of the placement's clusters, one invocation per cluster and run. Single
 * flight is per cluster, by the lock in the state table (a conditional put, lib/state/dynamo-store.ts),
 * not by reserved concurrency: a concurrency of 1 on a shared function would queue one cluster's fix
 * behind another's fifteen minutes. A second run on a cluster whose lock is held is refused by the
 * lock guard, and the next check plans again. It has no resource policy: only the check function's
 * role, which is granted it, may invoke it.
 */
export class RemediationFunction extends PlacementFunction {
  constructor(scope: Construct, id: string, props: RemediationFunctionProps) {
    const names = props.clusters.map((cluster) => cluster.name);
    super(scope, id, {
      placement: props.placement,
      clusters: props.clusters,
      functionName: props.functionName,
      entry: 'remediate.ts',
      description: `cluster-doctor: guarded remediation of the clusters of ${props.placement.name}`,
      // The Lambda limit: the config is checked so the worst case fits (lib/config/time-budget.ts), and
      // the runner starts no action within a minute of it, so it ends with its report and lock released.
      timeout: Duration.seconds(LAMBDA_LIMIT_S),
      environment: toPlacementEnv({
        topicArn: props.topic.topic.topicArn,
        tableName: props.table.table.tableName,
      }),
      statements: [...props.topic.publishStatements(), ...props.table.clusterStatements(names)],
      // A remedy is never retried blindly: the next check plans again from a fresh observation.
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      settings: props.settings,
      onFailure: props.onFailure,
    });
  }
}
