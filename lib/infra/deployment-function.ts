import { join } from 'node:path';
import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLING, FUNCTIONS_DIR } from './placement-function';

export interface DeploymentFunctionProps {
  /** Handler file, relative to `functions/`. */
  entry: string;
  functionName: string;
  /** Also the role's description. */
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  /** Everything the handler may do beyond writing its own logs. */
  statements: iam.PolicyStatement[];
  layers?: lambda.ILayerVersion[];
  retryAttempts?: number;
  onFailure?: lambda.IDestination;
}

/** What {@link deploymentFunction} creates. */
export interface DeploymentFunctionParts {
  function: NodejsFunction;
  role: iam.Role;
  logGroup: logs.LogGroup;
}

/**
 * A function of the whole deployment (the watchdog, the failure reporter): outside any VPC, since it
 * talks to AWS APIs only and never to a cluster, so a placement's network cannot silence it; with a
 * role of its own that may write its log group and do what `statements` say, nothing else. Created
 * directly in `scope` (ids `Logs`, `Role`, `Function`), so an existing watchdog keeps its logical ids:
 * a function with a fixed name cannot be replaced in place.
 */
export function deploymentFunction(
  scope: Construct,
  props: DeploymentFunctionProps,
): DeploymentFunctionParts {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
    inlinePolicies: {
      Access: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
          ...props.statements,
        ],
      }),
    },
  });
  const fn = new NodejsFunction(scope, 'Function', {
    entry: join(FUNCTIONS_DIR, props.entry),
    handler: 'handler',
    functionName: props.functionName,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    layers: props.layers,
    retryAttempts: props.retryAttempts,
    onFailure: props.onFailure,
    bundling: BUNDLING,
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the runtime the project targets and tests (DESIGN §2); moving to 24 is a deliberate upgrade.',
  });
  return { function: fn, role, logGroup };
}
