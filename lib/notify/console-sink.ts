import type { MessageSink, OutboundMessage } from './types';

/**
 * Prints each message as SNS would deliver it: the email (subject and body) to email subscribers,
 * the SMS text to phones (critical only, as the SMS filter policy does), and the attributes.
 */
export class ConsoleSink implements MessageSink {
  readonly sent: OutboundMessage[] = [];

  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  async publish(message: OutboundMessage): Promise<void> {
    this.sent.push(message);
    const rule = '-'.repeat(72);
    const lines = [
      rule,
      `SNS message  kind=${message.kind} severity=${message.severity} cluster=${message.cluster}`,
      rule,
      `EMAIL  Subject: ${message.subject}`,
      '',
      message.email.trimEnd(),
      '',
      message.severity === 'critical'
        ? `SMS (${message.sms.length} chars): ${message.sms}`
        : 'SMS: not sent (the SMS subscription filters on severity = critical)',
      rule,
      '',
    ];
    this.write(`${lines.join('\n')}\n`);
  }
}
