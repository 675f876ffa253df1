import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { STATE_TABLE_KEYS } from '../config/function-env';

/** Item-level actions the state layer needs: fingerprints, first-seen times, remedy history, the lock. */
const STATE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/**
 * What scheduled runs remember between runs (on-demand, TTL on `expiresAt`, point-in-time recovery).
 * Every cluster's items live under partition keys `<cluster>` or `<cluster>#...`.
 */
export class StateTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STATE_TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: STATE_TABLE_KEYS.timeToLive,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
  }

  /** Read and write this table only, and only the items of `clusters` (IAM `dynamodb:LeadingKeys`). */
  clusterStatements(clusters: string[]): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: STATE_ACTIONS,
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': clusters.flatMap((cluster) => [cluster, `${cluster}#*`]),
          },
        },
      }),
    ];
  }

  /**
   * The failure reporter: read and write the failure records of any cluster of the deployment
   * (`sk = failure#<role>`), and no other attribute than a record's and its reminder time (a
   * condition listing every cluster would not fit one policy in a large deployment).
   */
  failureStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': ['pk', 'sk', 'record', 'expiresAt', 'remindedAt'],
          },
        },
      }),
    ];
  }
}
