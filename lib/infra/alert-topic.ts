import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ClusterConfig } from '../config/schema';
import { pagerAlarmPrefix } from './checker-alarms';

export interface AlertTopicProps {
  /** Their `notify` recipients are subscribed, each to the clusters that list it. */
  clusters: ClusterConfig[];
  /** Subscribed without a filter: receives everything, the checker's own alarms included. */
  alarmEmail?: string;
  /** Names of the CloudWatch alarms allowed to publish here start with this. */
  alarmNamePrefix: string;
}

/**
 * The one SNS topic every report, remediation and alarm goes to, encrypted with its own KMS key.
 *
 * Messages carry the attributes `cluster`, `severity` and `kind`. An address is subscribed once
 * however many clusters list it; it is filtered to those clusters unless it is listed in all of them.
 * SMS subscriptions also require `severity = critical`. CloudWatch alarm notifications carry no
 * attributes, so only unfiltered email subscriptions (and `alarmEmail`) receive them.
 */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;
  /**
   * Where the alarms that must wake someone go (stale clusters, keys lost, a silent watchdog). CloudWatch
   * notifications carry no message attributes, so the SMS subscriptions here filter on the alarm name
   * in the body.
   */
  readonly pager: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'Encrypts the cluster-doctor alerts',
    });
    // CloudWatch alarms encrypt what they publish with the topic's key (AWS docs: key policy, GenerateDataKey*).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.key,
      enforceSSL: true,
      displayName: 'cluster-doctor',
    });
    this.pager = new sns.Topic(this, 'Pager', {
      masterKey: this.key,
      enforceSSL: true,
      displayName: 'cluster-doctor pager',
    });
    for (const topic of [this.topic, this.pager])
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [cloudWatch],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: `${props.alarmNamePrefix}*`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );

    const allClusters = props.clusters.map((cluster) => cluster.name);
    const emails = recipients(props.clusters, (cluster) => cluster.notify.emails);
    if (props.alarmEmail) emails.set(props.alarmEmail, allClusters);
    for (const [address, clusters] of emails) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(address, {
          filterPolicy: clusterFilter(clusters, allClusters),
        }),
      );
    }
    // A number listed in some clusters only: the pages of their placements (keys lost there). Stale
    // clusters reach it by the watchdog's own critical message, filtered by cluster like any other.
    const placementsOf = (names: string[]) => [
      ...new Set(props.clusters.filter((c) => names.includes(c.name)).map((c) => c.placement)),
    ];
    for (const [number, clusters] of recipients(props.clusters, (cluster) => cluster.notify.sms)) {
      this.topic.addSubscription(
        new subscriptions.SmsSubscription(number, {
          filterPolicy: {
            severity: sns.SubscriptionFilter.stringFilter({ allowlist: ['critical'] }),
            ...clusterFilter(clusters, allClusters),
          },
        }),
      );
      const all = allClusters.every((name) => clusters.includes(name));
      this.pager.addSubscription(
        new subscriptions.SmsSubscription(number, {
          ...(all
            ? {}
            : {
                filterPolicyWithMessageBody: {
                  AlarmName: sns.FilterOrPolicy.filter(
                    sns.SubscriptionFilter.stringFilter({
                      matchPrefixes: placementsOf(clusters).map((placement) =>
                        pagerAlarmPrefix(props.alarmNamePrefix, placement),
                      ),
                    }),
                  ),
                },
              }),
        }),
      );
    }
  }

  /** Publishing to this topic and nothing else: `sns:Publish` on it, and its key for the envelope. */
  publishStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
      }),
    ];
  }
}

/** Each address with the names of the clusters that list it, in file order. */
function recipients(
  clusters: ClusterConfig[],
  of: (cluster: ClusterConfig) => string[],
): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const cluster of clusters) {
    for (const address of of(cluster)) map.set(address, [...(map.get(address) ?? []), cluster.name]);
  }
  return map;
}

/** No filter for an address listed in every cluster; otherwise only its clusters' messages. */
function clusterFilter(
  clusters: string[],
  allClusters: string[],
): Record<string, sns.SubscriptionFilter> | undefined {
  if (allClusters.every((name) => clusters.includes(name))) return undefined;
  return { cluster: sns.SubscriptionFilter.stringFilter({ allowlist: clusters }) };
}
