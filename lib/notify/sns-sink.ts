import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MessageSink, OutboundMessage } from './types';

/**
 * Publishes to the alert topic with one body per protocol (`MessageStructure: "json"`) and the
 * attributes subscriptions filter on. A failed publish throws: it is never reported as sent.
 */
export class SnsSink implements MessageSink {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(message: OutboundMessage): Promise<void> {
    await this.client.send(new PublishCommand(toPublishInput(this.topicArn, message)));
  }
}

export function toPublishInput(topicArn: string, message: OutboundMessage) {
  return {
    TopicArn: topicArn,
    Subject: message.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: message.json, email: message.email, sms: message.sms }),
    MessageAttributes: {
      cluster: { DataType: 'String', StringValue: message.cluster },
      severity: { DataType: 'String', StringValue: message.severity },
      kind: { DataType: 'String', StringValue: message.kind },
    },
  };
}
