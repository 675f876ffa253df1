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

/**
 * SNS refuses a message over 256 KiB, subject and attributes included ("Invalid parameter: Message
 * too long"): the bodies together get 240 KiB. The remedies' audit messages are bounded where they
 * are rendered; this is the last guard, for a report of a very large cluster.
 */
export const SNS_BODIES_LIMIT = 240 * 1024;

const bodies = (m: Pick<OutboundMessage, 'json' | 'email' | 'sms'>) =>
  JSON.stringify({ default: m.json, email: m.email, sms: m.sms });

/**
 * The message as SNS takes it: unchanged when it fits; else the JSON body keeps what it says
 * (kind, cluster, severity, subject) with a note of the cut, and the email keeps its start, which
 * holds the findings and the commands, with a last line saying it was cut.
 */
export function fitToSns(message: OutboundMessage): OutboundMessage {
  const size = Buffer.byteLength(bodies(message));
  if (size <= SNS_BODIES_LIMIT) return message;
  const note = `cut: the message was ${size} bytes, over SNS's 256 KiB; the function's log and the state table's history hold the rest`;
  const json =
    Buffer.byteLength(message.json) > SNS_BODIES_LIMIT / 4
      ? JSON.stringify({
          kind: message.kind,
          cluster: message.cluster,
          severity: message.severity,
          subject: message.subject,
          truncated: note,
        })
      : message.json;
  let email = message.email;
  let keep = email.length;
  for (;;) {
    const over = Buffer.byteLength(bodies({ ...message, json, email })) / SNS_BODIES_LIMIT;
    if (over <= 1) break;
    keep = Math.floor((keep / over) * 0.9);
    email = `${message.email.slice(0, keep)}\n\n[${note}]`;
  }
  return { ...message, json, email };
}

export function toPublishInput(topicArn: string, whole: OutboundMessage) {
  const message = fitToSns(whole);
  return {
    TopicArn: topicArn,
    Subject: message.subject,
    MessageStructure: 'json',
    Message: bodies(message),
    MessageAttributes: {
      cluster: { DataType: 'String', StringValue: message.cluster },
      severity: { DataType: 'String', StringValue: message.severity },
      kind: { DataType: 'String', StringValue: message.kind },
    },
  };
}
