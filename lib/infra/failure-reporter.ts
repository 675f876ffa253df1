import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV } from '../config/function-env';
import { type DeploymentDocument, SETTINGS_LAYER } from '../config/placement-settings';
import type { AlertTopic } from './alert-topic';
import { functionRole } from './function-role';
import { BUNDLING, FUNCTIONS_DIR } from './placement-function';
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
  readonly logGroup: logs.LogGroup;
  /** What the placements' functions pass as `onFailure`. */
  readonly destination: lambda.IDestination;

  constructor(scope: Construct, id: string, props: FailureReporterProps) {
    super(scope, id);
    const settings = new SettingsLayer(this, 'Settings', {
      path: SETTINGS_LAYER.deployment,
      document: props.document,
      description: 'cluster-doctor: which function serves which cluster',
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    const description = "cluster-doctor: reports a placement function's failed invocations, once per outage";
    this.role = functionRole(this, this.logGroup, description, [
      ...props.table.failureStatements(),
      ...props.topic.publishStatements(),
    ]);
    // Outside any VPC: it talks to AWS APIs only, never to a cluster, so no placement's network
    // (the usual reason its functions fail) can silence it.
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(FUNCTIONS_DIR, 'report-failure.ts'),
      handler: 'handler',
      functionName: props.functionName,
      description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        [FUNCTION_ENV.tableName]: props.table.table.tableName,
        [FUNCTION_ENV.topicArn]: props.topic.topic.topicArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
      layers: [settings.layer],
      // Idempotent (a failure already recorded under its request id is not counted again): retried.
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(props.deadLetterQueue),
      bundling: BUNDLING,
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project targets and tests (DESIGN §2); moving to 24 is a deliberate upgrade.',
    });
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
