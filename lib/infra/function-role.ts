import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * A Lambda function's own role: it may write its own log group (not every log group, as the managed
 * AWSLambdaBasicExecutionRole would allow) and do what `statements` say, nothing else.
 */
export function functionRole(
  scope: Construct,
  logGroup: logs.ILogGroup,
  description: string,
  statements: iam.PolicyStatement[],
): iam.Role {
  return new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
    inlinePolicies: {
      Access: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
          ...statements,
        ],
      }),
    },
  });
}
