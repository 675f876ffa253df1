import { join } from 'node:path';
import { type Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkMemoryMb } from '../config/check-memory';
import type { ClusterConfig, PlacementConfig } from '../config/schema';
import { functionRole } from './function-role';

export const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');

export interface PlacementFunctionProps {
  placement: PlacementConfig;
  /** The clusters placed here: the function may read their secrets, and no other. */
  clusters: ClusterConfig[];
  /** A fixed name, so `npm run smoke` and people find it: `<stack>-<placement>-check`. */
  functionName: string;
  /** Handler file, relative to `functions/`. */
  entry: string;
  description: string;
  timeout: Duration;
  environment: Record<string, string>;
  /** Everything the handler may do beyond logging, joining the VPC and reading the cluster's secret. */
  statements: iam.PolicyStatement[];
  /** The placement's settings document (lib/infra/settings-layer.ts). */
  settings: lambda.ILayerVersion;
  /** Asynchronous invocations: retries after an error, and how long an event may wait. */
  retryAttempts: number;
  maxEventAge: Duration;
  /** Asynchronous invocations that failed for good (an error, a timeout, out of memory, an init error) go here. */
  onFailure: lambda.IDestination;
}

/**
 * A Lambda in one placement's subnets and security groups, serving the clusters placed there, with a
 * role of its own that can write its own log group, manage its VPC network interfaces, read those
 * clusters' secrets (those ARNs only), and do what `statements` say: nothing else.
 */
export class PlacementFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PlacementFunctionProps) {
    super(scope, id);
    const { vpc: network } = props.placement;
    const secrets = [...new Set(props.clusters.map((cluster) => cluster.secretArn))];
    const keys = [...new Set(props.clusters.flatMap((cluster) => cluster.secretKmsKeyArn ?? []))];

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });

    // Inline instead of the managed AWSLambdaBasicExecutionRole/AWSLambdaVPCAccessExecutionRole: the
    // logs permissions are narrowed to this function's log group.
    this.role = functionRole(this, this.logGroup, props.description, [
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets }),
      // Secrets encrypted with customer-managed keys: decrypt with them only through Secrets Manager.
      ...(keys.length > 0
        ? [
            new iam.PolicyStatement({
              actions: ['kms:Decrypt'],
              resources: keys,
              conditions: {
                StringEquals: {
                  'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com`,
                },
              },
            }),
          ]
        : []),
      ...props.statements,
    ]);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the EC2 network-interface actions Lambda needs to join the VPC, as in AWSLambdaVPCAccessExecutionRole: ' +
        'the Describe actions support no resource-level permissions and the interfaces do not exist before the function.',
    });

    // Imported without lookups (offline synth); the subnets are given explicitly, so the zones are never
    // read. Security groups are immutable so CDK never edits their owners' rules.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: network.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    Validations.of(this).acknowledge(
      {
        id: 'Annotation::@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
        reason: 'The function is given its subnets explicitly; nothing here selects subnets by zone.',
      },
      {
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason: "The subnets only fill the function's VpcConfig; no route table is read.",
      },
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(FUNCTIONS_DIR, props.entry),
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.entry === 'check.ts' ? checkMemoryMb(props.clusters) : 512,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      vpc,
      vpcSubnets: {
        subnets: network.subnetIds.map((subnetId) => ec2.Subnet.fromSubnetId(this, subnetId, subnetId)),
      },
      securityGroups: network.securityGroupIds.map((groupId) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, groupId, groupId, { mutable: false }),
      ),
      // No NODE_COMPILE_CACHE: module init runs once per execution environment, whose /tmp starts
      // empty, so a cache there would only serve a re-init after a crash, not a cold start.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      retryAttempts: props.retryAttempts,
      onFailure: props.onFailure,
      layers: [props.settings],
      maxEventAge: props.maxEventAge,
      bundling: BUNDLING,
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project targets and tests (DESIGN §2); moving to 24 is a deliberate upgrade.',
    });
  }
}

/**
 * Packages the bundles replace by modules of ours (esbuild `alias`; the bench bundles with the same
 * map). The default credential chain would carry profile, SSO, login, process, web-identity and
 * instance-metadata providers and the STS/SSO/sign-in clients they use (about 110 KB minified, and
 * their load time) to a runtime that always sets the role's credentials in the environment.
 * Paths are relative to the project root, where esbuild runs (locally or in Docker's /asset-input).
 */
export const BUNDLE_ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './lib/service/env-credentials.ts',
};

/** How every handler is bundled (the same options for each entry, so one entry is bundled once). */
export const BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.CJS,
  // ESM builds first: they tree-shake better (1.1 MB instead of 1.4 MB for ioredis + SDK + Powertools).
  mainFields: ['module', 'main'],
  // The AWS SDK is bundled, not taken from the runtime: the clients we test against are the ones
  // that run, pinned by our lockfile, whatever SDK version Lambda ships that week. The minified
  // bundle also loads faster than the SDK's own files.
  externalModules: [],
  esbuildArgs: {
    '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`),
  },
};
