import type { Severity } from '../checks/types';

export type MessageKind = 'finding' | 'resolved' | 'remediation' | 'digest' | 'checker-error';

/** One notification, rendered for every protocol SNS delivers to (DESIGN §2). */
export interface OutboundMessage {
  kind: MessageKind;
  cluster: string;
  severity: Severity;
  /** Email subject: ASCII, at most 100 characters (SNS's limit). */
  subject: string;
  /** Full email body: the report with runbooks. */
  email: string;
  /** One line, at most 140 GSM-7 characters. */
  sms: string;
  /** The `default` body: JSON for machines. */
  json: string;
}

/** Where messages go: SNS in Lambda, the console or a file locally. */
export interface MessageSink {
  publish(message: OutboundMessage): Promise<void>;
}
