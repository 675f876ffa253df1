import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { deployPlacement } from '../support/placement';

export interface AwsRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface BundledRun {
  /** What the handler resolved with, or its error as `name: message`; how long require() and the call took. */
  outcome: { result?: Record<string, unknown>; error?: string; initMs: number; firstCallMs: number };
  /** Every request the bundle's AWS clients sent, in order. */
  requests: AwsRequest[];
}

const SNS_PUBLISHED =
  '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId>' +
  '</PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>';

/**
 * AWS as the bundle sees it over HTTP (`AWS_ENDPOINT_URL`), the one place a test can watch what the
 * bundled SDK really sends and signs: Secrets Manager returns a password, DynamoDB an empty table that
 * accepts writes, SNS accepts publishes. aws-sdk-client-mock cannot reach into a bundle.
 */
function answer(headers: IncomingHttpHeaders, body: string): { type: string; text: string } {
  const target = String(headers['x-amz-target'] ?? '');
  if (target === 'secretsmanager.GetSecretValue')
    return { type: 'application/x-amz-json-1.1', text: JSON.stringify({ Name: 'c1', SecretString: 'pw' }) };
  if (target.startsWith('DynamoDB_20120810.')) return { type: 'application/x-amz-json-1.0', text: '{}' };
  if (new URLSearchParams(body).get('Action') === 'Publish') return { type: 'text/xml', text: SNS_PUBLISHED };
  throw new Error(`the bundle sent a request this test does not expect: ${target || body.slice(0, 80)}`);
}

// Runs the handler once in a fresh node, as Lambda would (NODE_OPTIONS as the stack sets it), timing
// the module's load and the first invocation; the outcome is the last line, after Powertools' logs.
const RUNNER = `const t0 = performance.now();
const { handler } = require(process.argv[1]);
const t1 = performance.now();
const done = (outcome) => process.stdout.write('\\nOUTCOME ' + JSON.stringify({ ...outcome,
  initMs: t1 - t0, firstCallMs: performance.now() - t1 }), () => process.exit(0));
handler(JSON.parse(process.argv[2])).then((result) => done({ result }),
  (e) => done({ error: e.name + ': ' + e.message }));`;

/**
 * Invokes the check handler of `bundle` for cluster `c1` of placement `p1` (a placement function's
 * environment, and a schedule's event with the cluster's settings; its seed refuses connections), with
 * exactly `credentials` as the AWS part of its environment.
 */
export async function runBundledHandler(
  bundle: string,
  credentials: Record<string, string>,
): Promise<BundledRun> {
  const requests: AwsRequest[] = [];
  const failures: Error[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      try {
        const { type, text } = answer(req.headers, body);
        res.writeHead(200, { 'content-type': type }).end(text);
      } catch (error) {
        failures.push(error as Error);
        res.writeHead(500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let cleanup = () => {};
  try {
    const { port } = server.address() as AddressInfo;
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    const event = { cluster: 'c1', kind: 'frequent' };
    const placement = deployPlacement({
      c1: {
        seeds: ['127.0.0.1:1'],
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:c1',
        tls: 'off',
        timeoutMs: 5000,
        mode: 'dry-run',
        allow: [],
        settleMs: 600_000,
      },
    });
    cleanup = placement.remove;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', RUNNER, resolve(bundle), JSON.stringify(event)],
      {
        env: {
          ...inherited,
          ...credentials,
          AWS_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
          AWS_MAX_ATTEMPTS: '1',
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_METRICS_DISABLED: 'true',
          ...placement.env,
        },
      },
    );
    if (failures.length > 0) throw failures[0];
    const outcome = stdout.slice(stdout.lastIndexOf('\nOUTCOME ') + '\nOUTCOME '.length);
    return { outcome: JSON.parse(outcome), requests };
  } finally {
    cleanup();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
