import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV } from '../config/function-env';
import { type DeploymentDocument, SETTINGS_LAYER } from '../config/placement-settings';
import type { AlertTopic } from './alert-topic';
import { deploymentFunction } from './deployment-function';
import { SettingsLayer } from './settings-layer';
import type { StateTable } from './state-table';

export interface FailureReporterProps {
  functionName: string;
  /** Which function serves which placement and cluster: how a failed invocation is attributed. */
  document: DeploymentDocument;
  topic: AlertTopic;
  table: StateTable;
  /** Where its own failed invocations go, after Lambda's two retries. */
  deadLetterQueue: sqs.IQueue;
}

/**
 * Lambda's on-failure destination of every placement's check and remediation function
 * (lib/service/failure-reporter.ts): whatever killed an invocation (an error, a timeout, out of
 * memory, an init error, an event that aged out), the cluster's people hear once that its checker is
 * failing. Outside any VPC, with its own role: it reads and writes the failure records and
 * publishes, nothing else.
 */
export class FailureReporter extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  /** What the placements' functions pass as `onFailure`. */
  readonly destination: lambda.IDestination;

  constructor(scope: Construct, id: string, props: FailureReporterProps) {
    super(scope, id);
    const settings = new SettingsLayer(this, 'Settings', {
      path: SETTINGS_LAYER.deployment,
      document: props.document,
      description: 'cluster-doctor: which function serves which cluster',
    });
    const fn = deploymentFunction(this, {
      entry: 'report-failure.ts',
      functionName: props.functionName,
      description: "cluster-doctor: reports a placement function's failed invocations, once per outage",
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: {
        [FUNCTION_ENV.tableName]: props.table.table.tableName,
        [FUNCTION_ENV.topicArn]: props.topic.topic.topicArn,
      },
      statements: [...props.table.failureStatements(), ...props.topic.publishStatements()],
      layers: [settings.layer],
      // Idempotent (a failure already recorded under its request id is not counted again): retried.
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(props.deadLetterQueue),
    });
    this.function = fn.function;
    this.role = fn.role;
    this.destination = new UnqualifiedFunctionDestination(this.function);
  }
}

/**
 * Like `LambdaDestination`, but the failing function's role may invoke the reporter's unqualified ARN
 * only (`LambdaDestination` grants `:*` too, every version and alias, which nothing here uses).
 */
class UnqualifiedFunctionDestination implements lambda.IDestination {
  constructor(private readonly target: lambda.IFunction) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.target.functionArn] }),
    );
    return { destination: this.target.functionArn };
  }
}
