import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsSink } from '../../../lib/notify/sns-sink';
import type { OutboundMessage } from '../../../lib/notify/types';

const sns = mockClient(SNSClient);
const message: OutboundMessage = {
  kind: 'finding',
  cluster: 'prod-cache',
  severity: 'critical',
  subject: 'cluster-doctor CRIT prod-cache: slots uncovered',
  email: 'full body',
  sms: 'CRIT prod-cache: slots-uncovered slots 0-99',
  json: '{"kind":"finding"}',
};

describe('SnsSink', () => {
  beforeEach(() => sns.reset());

  it('publishes one JSON-structured message with a body per protocol and the filter attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsSink(
      new SNSClient({ region: 'eu-west-1' }),
      'arn:aws:sns:eu-west-1:123456789012:alerts',
    ).publish(message);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      Subject: message.subject,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: message.json, email: 'full body', sms: message.sms }),
      MessageAttributes: {
        cluster: { DataType: 'String', StringValue: 'prod-cache' },
        severity: { DataType: 'String', StringValue: 'critical' },
        kind: { DataType: 'String', StringValue: 'finding' },
      },
    });
  });

  it('a failed publish is an error, never reported as sent', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));
    await expect(
      new SnsSink(new SNSClient({ region: 'eu-west-1' }), 'arn:x').publish(message),
    ).rejects.toThrow('AuthorizationError');
  });
});
