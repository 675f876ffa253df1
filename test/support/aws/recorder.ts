import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API call a bundle made, as it went over the wire. */
export interface AwsCall {
  /** `secretsmanager.GetSecretValue`, `DynamoDB_20120810.PutItem`, `sns.Publish`, ... */
  operation: string;
  body: string;
  headers: IncomingHttpHeaders;
  status: number;
  response: string;
  /** When the call was answered (epoch ms). */
  at: number;
}

/** The operation a request asks for: its JSON target header, else its query `Action`. */
export function operationOf(headers: IncomingHttpHeaders, body: string, method: string, url: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target;
  const action = new URLSearchParams(body).get('Action');
  if (action)
    return `${/\/sns\/aws4_request/.test(String(headers.authorization)) ? 'sns' : 'query'}.${action}`;
  return `${method} ${url}`;
}

/**
 * An HTTP proxy in front of moto that writes down every call the bundles make, signed as they were
 * signed: the one place a test sees what a bundle really asked AWS for (which secret, which items).
 */
export class AwsRecorder {
  readonly calls: AwsCall[] = [];
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(upstream: string): Promise<AwsRecorder> {
    const target = new URL(upstream);
    let recorder: AwsRecorder | undefined;
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const forwarded = request(
          {
            host: target.hostname,
            port: target.port,
            method: incoming.method,
            path: incoming.url,
            headers: { ...incoming.headers, host: target.host },
          },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              const response = Buffer.concat(parts);
              const text = body.toString();
              recorder?.calls.push({
                operation: operationOf(incoming.headers, text, incoming.method ?? '', incoming.url ?? ''),
                body: text,
                headers: incoming.headers,
                status: answer.statusCode ?? 0,
                response: response.toString(),
                at: Date.now(),
              });
              outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
              outgoing.end(response);
            });
          },
        );
        forwarded.on('error', (error) => {
          outgoing.writeHead(502);
          outgoing.end(String(error));
        });
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    recorder = new AwsRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return recorder;
  }

  /**
   * The bodies of a message published through this recorder, by the id SNS gave it (what an email or
   * SMS endpoint received of a `MessageStructure: json` message; a stand-in queue gets `default`).
   */
  published(messageId: string): { subject?: string; email?: string; sms?: string; at: number } | undefined {
    const call = this.of('sns.Publish').find((c) =>
      c.response.includes(`<MessageId>${messageId}</MessageId>`),
    );
    if (!call) return undefined;
    const form = new URLSearchParams(call.body);
    const bodies = JSON.parse(form.get('Message') ?? '{}') as { email?: string; sms?: string };
    return { subject: form.get('Subject') ?? undefined, email: bodies.email, sms: bodies.sms, at: call.at };
  }

  /** The calls of one operation, e.g. `secretsmanager.GetSecretValue`. */
  of(operation: string): AwsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
