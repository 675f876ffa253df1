import { Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** The cluster-doctor service. For now: the KMS-encrypted alert topic every later piece publishes to. */
export class ClusterDoctorStack extends Stack {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const key = new kms.Key(this, 'AlertKey', {
      enableKeyRotation: true,
      description: 'cluster-doctor alerts',
    });
    this.topic = new sns.Topic(this, 'AlertTopic', { masterKey: key, enforceSSL: true });
  }
}
