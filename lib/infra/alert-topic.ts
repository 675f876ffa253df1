import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ClusterConfig } from '../config/schema';
import type { AlarmNames } from './alarm-names';

export interface AlertTopicProps {
  /** Their `notify` recipients are subscribed, each to the clusters that list it. */
  clusters: ClusterConfig[];
  /** Subscribed without a filter to both topics: receives everything, every alarm included. */
  alarmEmail?: string;
  /** The stack's alarm names: the topic policies admit them, the alarm subscriptions filter on them. */
  names: AlarmNames;
}

/**
 * The two SNS topics of a deployment, encrypted with their own KMS key.
 *
 * `topic` carries the functions' messages, with the attributes `cluster`, `severity` and `kind`. An
 * address is subscribed once however many clusters list it, filtered to those clusters unless it is
 * listed in all of them; SMS subscriptions also require `severity = critical`.
 *
 * `pager` carries CloudWatch's alarm notifications, which have no attributes: its subscriptions filter
 * on the alarm name in the body (alarm-names.ts). An email address gets the alarms of its clusters
 * and of the deployment, each state change (worded as such by the alarm); a phone gets only its
 * clusters' dead-man switches, and not their return to OK; the placements' alarms go to the
 * deployment's operators only (unfiltered addresses), each cluster's people having had their own
 * cluster's message. So a phone hears only about its own clusters, and an alarm about the whole
 * deployment reaches every inbox once.
 */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;
  /** Where every CloudWatch alarm of the stack notifies (the logical id of the former pager, kept). */
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
                resourceName: `${props.names.all}*`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );

    const allClusters = props.clusters.map((cluster) => cluster.name);
    const { names } = props;
    const emails = recipients(props.clusters, (cluster) => cluster.notify.emails);
    if (props.alarmEmail) emails.set(props.alarmEmail, allClusters);
    for (const [address, clusters] of emails) {
      const everything = allClusters.every((name) => clusters.includes(name));
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(address, {
          filterPolicy: clusterFilter(clusters, allClusters),
        }),
      );
      this.pager.addSubscription(
        new subscriptions.EmailSubscription(address, {
          ...(everything
            ? {}
            : {
                filterPolicyWithMessageBody: {
                  AlarmName: sns.FilterOrPolicy.filter(
                    sns.SubscriptionFilter.stringFilter({
                      matchPrefixes: [...clusters.map((c) => names.clusterPrefix(c)), names.deploymentPrefix],
                    }),
                  ),
                },
              }),
        }),
      );
    }
    for (const [number, clusters] of recipients(props.clusters, (cluster) => cluster.notify.sms)) {
      const everything = allClusters.every((name) => clusters.includes(name));
      this.topic.addSubscription(
        new subscriptions.SmsSubscription(number, {
          filterPolicy: {
            severity: sns.SubscriptionFilter.stringFilter({ allowlist: ['critical'] }),
            ...clusterFilter(clusters, allClusters),
          },
        }),
      );
      // A page when a cluster's checker is dead (ALARM or INSUFFICIENT_DATA), never its OK: the
      // inbox says that; and no other alarm, which each cluster's own critical message covers.
      this.pager.addSubscription(
        new subscriptions.SmsSubscription(number, {
          filterPolicyWithMessageBody: {
            AlarmName: sns.FilterOrPolicy.filter(
              sns.SubscriptionFilter.stringFilter(
                everything
                  ? { matchSuffixes: [names.clusterSuffix('checker-dead')] }
                  : { allowlist: clusters.map((c) => names.cluster(c, 'checker-dead')) },
              ),
            ),
            NewStateValue: sns.FilterOrPolicy.filter(
              sns.SubscriptionFilter.stringFilter({ denylist: ['OK'] }),
            ),
          },
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
