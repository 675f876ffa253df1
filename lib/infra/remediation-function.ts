import { Duration } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { toFunctionEnv } from '../config/function-env';
import type { ClusterConfig } from '../config/schema';
import { LAMBDA_LIMIT_S } from '../config/time-budget';
import type { AlertTopic } from './alert-topic';
import { ClusterFunction } from './cluster-function';
import type { StateTable } from './state-table';

export interface RemediationFunctionProps {
  cluster: ClusterConfig;
  timeoutMs: number;
  topic: AlertTopic;
  table: StateTable;
  /** Where an invocation that failed for good is recorded (an alarm watches its depth). */
  onFailure: sqs.IQueue;
}

/**
 * Runs the guarded remedies of one cluster, one run at a time (reserved concurrency 1). It has no
 * resource policy: only the check function's role, which is granted it, may invoke it.
 */
export class RemediationFunction extends ClusterFunction {
  constructor(scope: Construct, id: string, props: RemediationFunctionProps) {
    const { cluster } = props;
    super(scope, id, {
      cluster,
      entry: 'remediate.ts',
      description: `cluster-doctor: guarded remediation of ${cluster.name}`,
      // The Lambda limit: the config is checked so the worst case fits (lib/config/time-budget.ts), and
      // the runner starts no action within a minute of it, so it ends with its report and lock released.
      timeout: Duration.seconds(LAMBDA_LIMIT_S),
      environment: toFunctionEnv(cluster, props.timeoutMs, {
        topicArn: props.topic.topic.topicArn,
        tableName: props.table.table.tableName,
      }),
      statements: [...props.topic.publishStatements(), ...props.table.clusterStatements(cluster.name)],
      reservedConcurrentExecutions: 1,
      // A remedy is never retried blindly: the next check plans again from a fresh observation.
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      onFailure: props.onFailure,
    });
  }
}
