import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type Resolver, resolveValue, type SynthesizedStack } from './template';

export const ACCOUNT = '123456789012';
/** Credentials every emulated call is signed with (moto accepts any; the recorder sees them). */
export const TEST_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIDCLUSTERDOCTORTEST',
  AWS_SECRET_ACCESS_KEY: 'cluster-doctor-test-secret-key',
  AWS_SESSION_TOKEN: 'cluster-doctor-test-session',
};

/** AWS clients of the test itself, straight to moto (not through the recorder). */
export function motoClients(endpoint: string, region: string) {
  const config = {
    endpoint,
    region,
    credentials: {
      accessKeyId: TEST_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  };
  return {
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    ddb: new DynamoDBClient(config),
    secrets: new SecretsManagerClient(config),
  };
}

/** A secret as Secrets Manager holds it: its ARN (with the suffix AWS adds), for the configuration. */
export async function createSecret(endpoint: string, region: string, name: string, value: string) {
  const { secrets } = motoClients(endpoint, region);
  const out = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return out.ARN as string;
}

export async function rotateSecret(endpoint: string, region: string, arn: string, value: string) {
  await motoClients(endpoint, region).secrets.send(
    new PutSecretValueCommand({ SecretId: arn, SecretString: value }),
  );
}

/** One SNS subscription of the template, received by a stand-in queue with the same filter policy and scope. */
export interface StandIn {
  logicalId: string;
  protocol: string;
  /** The address: an email or a phone number. */
  endpoint: string;
  /** Logical id of the topic it subscribes to. */
  topic: string;
  queueUrl: string;
}

/** What a stand-in received: the SNS envelope as delivered to an SQS endpoint. */
export interface Delivered {
  messageId: string;
  subject?: string;
  /** The `default` body (SQS gets it); the recorder's Publish call has the email and SMS bodies. */
  message: string;
  attributes: Record<string, string>;
}

/**
 * The resources of a synthesized stack that AWS would hold, created in moto from the template: its
 * topics, each email and SMS subscription as a stand-in queue with the template's own filter policy
 * and scope, its table with the template's keys, its queues. What a function's environment names
 * (`Ref`, `Fn::GetAtt`) resolves to these; the Lambda resources are the emulator's.
 */
export class MotoStack implements Resolver {
  private readonly refs = new Map<string, string>();
  private readonly arns = new Map<string, string>();
  readonly standIns: StandIn[] = [];
  readonly clients: ReturnType<typeof motoClients>;

  private constructor(
    readonly stack: SynthesizedStack,
    readonly endpoint: string,
    readonly region: string,
  ) {
    this.clients = motoClients(endpoint, region);
  }

  static async create(stack: SynthesizedStack, endpoint: string, region: string): Promise<MotoStack> {
    const created = new MotoStack(stack, endpoint, region);
    await created.createAll();
    return created;
  }

  get pseudo(): Record<string, string> {
    return {
      'AWS::Region': this.region,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stack.name,
    };
  }

  resolve(value: unknown): unknown {
    return resolveValue(value, this, this.pseudo);
  }

  private async createAll(): Promise<void> {
    const { sns, sqs, ddb } = this.clients;
    const name = (id: string) => `${this.stack.name}-${id}`.slice(0, 80);
    for (const [id] of this.stack.ofType('AWS::SNS::Topic')) {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name(id) }));
      this.refs.set(id, TopicArn as string);
    }
    for (const [id, resource] of this.stack.ofType('AWS::DynamoDB::Table')) {
      const p = resource.Properties as Record<string, never>;
      const tableName = (p.TableName as string | undefined) ?? name(id);
      await ddb.send(
        new CreateTableCommand({
          TableName: tableName,
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      this.refs.set(id, tableName);
      this.arns.set(id, `arn:aws:dynamodb:${this.region}:${ACCOUNT}:table/${tableName}`);
    }
    for (const [id] of this.stack.ofType('AWS::SQS::Queue')) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name(id) }));
      this.refs.set(id, QueueUrl as string);
      this.arns.set(id, await this.queueArn(QueueUrl as string));
    }
    for (const [id, resource] of this.stack.ofType('AWS::SNS::Subscription')) {
      const p = resource.Properties;
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `standin-${id}`.slice(0, 80) }),
      );
      const attributes: Record<string, string> = {};
      if (p.FilterPolicy) attributes.FilterPolicy = JSON.stringify(p.FilterPolicy);
      if (p.FilterPolicyScope) attributes.FilterPolicyScope = String(p.FilterPolicyScope);
      const topic = (p.TopicArn as { Ref: string }).Ref;
      await sns.send(
        new SubscribeCommand({
          TopicArn: this.ref(topic),
          Protocol: 'sqs',
          Endpoint: await this.queueArn(QueueUrl as string),
          Attributes: attributes,
        }),
      );
      this.standIns.push({
        logicalId: id,
        protocol: String(p.Protocol),
        endpoint: String(p.Endpoint),
        topic,
        queueUrl: QueueUrl as string,
      });
    }
  }

  private async queueArn(url: string): Promise<string> {
    const out = await this.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return out.Attributes?.QueueArn as string;
  }

  ref(logicalId: string): string {
    const known = this.refs.get(logicalId);
    if (known) return known;
    const resource = this.stack.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in ${this.stack.name}`);
    if (resource.Type === 'AWS::Lambda::Function') return String(resource.Properties.FunctionName);
    if (resource.Type === 'AWS::Lambda::LayerVersion')
      return `arn:aws:lambda:${this.region}:${ACCOUNT}:layer:${logicalId}:1`;
    if (resource.Type === 'AWS::KMS::Key') return `${logicalId}-key-id`;
    return logicalId;
  }

  getAtt(logicalId: string, attribute: string): string {
    const resource = this.stack.resources[logicalId];
    if (attribute === 'Arn') {
      const known = this.arns.get(logicalId);
      if (known) return known;
      if (resource?.Type === 'AWS::Lambda::Function')
        return `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${this.ref(logicalId)}`;
      if (resource?.Type === 'AWS::KMS::Key') return `arn:aws:kms:${this.region}:${ACCOUNT}:key/${logicalId}`;
      if (resource?.Type === 'AWS::SNS::Topic') return this.ref(logicalId);
    }
    return `${logicalId}.${attribute}`;
  }

  /** Every message a stand-in received since the last drain (SQS in moto: delivered at once). */
  async drain(standIn: StandIn): Promise<Delivered[]> {
    const out: Delivered[] = [];
    for (;;) {
      const { Messages = [] } = await this.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: standIn.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) return out;
      for (const m of Messages) {
        const envelope = JSON.parse(m.Body ?? '{}') as {
          MessageId: string;
          Subject?: string;
          Message: string;
          MessageAttributes?: Record<string, { Value: string }>;
        };
        out.push({
          messageId: envelope.MessageId,
          ...(envelope.Subject ? { subject: envelope.Subject } : {}),
          message: envelope.Message,
          attributes: Object.fromEntries(
            Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]),
          ),
        });
      }
      await this.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: standIn.queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  /** Every item of the stack's table, as the state stores wrote them. */
  async items(): Promise<Record<string, unknown>[]> {
    const [[id] = []] = this.stack.ofType('AWS::DynamoDB::Table');
    if (!id) return [];
    const documents = DynamoDBDocumentClient.from(this.clients.ddb);
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: this.ref(id) }));
    return Items;
  }
}
