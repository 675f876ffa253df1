import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * The AWS boundary of the handlers, mocked: SNS, Secrets Manager and Lambda record their inputs;
 * DynamoDB is an in-memory table that honours the condition expressions the lock and the failure
 * records (their claim, their reminder time) use (anything else it does not know fails the test). `hold(pk)`
 * makes the next put of that partition key land in the table at once but answer only when released:
 * a run that holds its lock, and waits, for as long as a test needs.
 */
export function mockAws(secret: () => string) {
  const sns = mockClient(SNSClient);
  const secrets = mockClient(SecretsManagerClient);
  const lambda = mockClient(LambdaClient);
  const ddb = mockClient(DynamoDBDocumentClient);
  const table = new Map<string, Record<string, unknown>>();
  const key = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;
  const holds = new Map<string, Promise<void>>();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  secrets.on(GetSecretValueCommand).callsFake(() => ({ SecretString: secret() }));
  ddb.on(GetCommand).callsFake((input) => ({ Item: structuredClone(table.get(key(input.Key))) }));
  ddb.on(PutCommand).callsFake(async (input) => {
    const existing = table.get(key(input.Item));
    if (input.ConditionExpression === 'attribute_not_exists(pk) OR expiresAt < :now' && existing) {
      if (Number(existing.expiresAt) >= Number(input.ExpressionAttributeValues[':now'])) {
        throw new ConditionalCheckFailedException({ message: 'held', $metadata: {} });
      }
    }
    table.set(key(input.Item), structuredClone(input.Item));
    const held = holds.get(String(input.Item.pk));
    holds.delete(String(input.Item.pk));
    if (held) await held;
    return {};
  });
  // The two updates of a failure record (lib/state/dynamo-store.ts): its record, its reminder time.
  ddb.on(UpdateCommand).callsFake((input) => {
    const item = table.get(key(input.Key)) ?? { ...input.Key };
    const values = input.ExpressionAttributeValues;
    if (input.UpdateExpression === 'SET #record = :record, expiresAt = :expires') {
      table.set(key(input.Key), {
        ...item,
        record: structuredClone(values[':record']),
        expiresAt: values[':expires'],
      });
      return {};
    }
    if (
      input.UpdateExpression === 'SET remindedAt = :at' &&
      input.ConditionExpression === 'attribute_not_exists(remindedAt) OR remindedAt < :at'
    ) {
      if (typeof item.remindedAt === 'string' && !(item.remindedAt < values[':at'])) {
        throw new ConditionalCheckFailedException({ message: 'not later', $metadata: {} });
      }
      table.set(key(input.Key), { ...item, remindedAt: values[':at'] });
      return {};
    }
    if (
      input.UpdateExpression === 'SET #record = :record, expiresAt = :expires REMOVE remindedAt' &&
      input.ConditionExpression === 'attribute_not_exists(#record)'
    ) {
      if (item.record !== undefined)
        throw new ConditionalCheckFailedException({ message: 'claimed', $metadata: {} });
      const { remindedAt: _dropped, ...rest } = item;
      table.set(key(input.Key), {
        ...rest,
        record: structuredClone(values[':record']),
        expiresAt: values[':expires'],
      });
      return {};
    }
    if (input.UpdateExpression === 'REMOVE #record, remindedAt') {
      const { record: _record, remindedAt: _reminded, ...rest } = item;
      table.set(key(input.Key), rest);
      return {};
    }
    throw new Error(`the DynamoDB mock does not know this update: ${input.UpdateExpression}`);
  });
  ddb.on(DeleteCommand).callsFake((input) => {
    const existing = table.get(key(input.Key));
    if (
      existing &&
      input.ConditionExpression === '#owner = :me' &&
      existing.owner !== input.ExpressionAttributeValues[':me']
    ) {
      throw new ConditionalCheckFailedException({ message: 'not yours', $metadata: {} });
    }
    table.delete(key(input.Key));
    return {};
  });
  const published = (): PublishCommandInput[] => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  const hold = (pk: string): (() => void) => {
    let release = () => {};
    holds.set(pk, new Promise<void>((resolve) => (release = resolve)));
    return () => release();
  };
  return {
    sns,
    secrets,
    lambda,
    ddb,
    table,
    hold,
    published,
    restore: () => {
      for (const m of [sns, secrets, lambda, ddb]) m.restore();
    },
  };
}

/** Decodes one published message: attributes and the three bodies. */
export function decode(input: PublishCommandInput) {
  const bodies = JSON.parse(String(input.Message)) as { default: string; email: string; sms: string };
  const attr = (name: string) => input.MessageAttributes?.[name]?.StringValue;
  return {
    kind: attr('kind'),
    severity: attr('severity'),
    cluster: attr('cluster'),
    subject: input.Subject,
    ...bodies,
  };
}
