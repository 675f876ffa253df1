import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentDocument } from '../../../lib/config/placement-settings';
import type { OutboundMessage } from '../../../lib/notify/types';
import { withoutAccountDetails } from '../../../lib/service/failure-record';
import { reportingFailures } from '../../../lib/service/failure-report';
import { makeFailureReporter } from '../../../lib/service/failure-reporter';
import { FileStateStore } from '../../../lib/state/file-store';

const DOCUMENT: DeploymentDocument = {
  format: 1,
  deployment: 'ClusterDoctor-paris',
  functions: {
    'ClusterDoctor-paris-app-vpc-check': { placement: 'app-vpc', role: 'check' },
    'ClusterDoctor-paris-app-vpc-fix': { placement: 'app-vpc', role: 'remediation' },
    'ClusterDoctor-paris-batch-vpc-check': { placement: 'batch-vpc', role: 'check' },
  },
  clusters: { 'orders-cache': { placement: 'app-vpc' }, sessions: { placement: 'batch-vpc' } },
};
const ENV = { ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-3:123456789012:alerts', STATE_TABLE_NAME: 'state' };
const arnOf = (name: string) => `arn:aws:lambda:eu-west-3:123456789012:function:${name}:$LATEST`;

/** A record as Lambda hands it to an on-failure destination. */
const failed = (
  requestId: string,
  payload: unknown,
  response?: unknown,
  fn = 'ClusterDoctor-paris-app-vpc-check',
  condition = 'RetriesExhausted',
) => ({
  version: '1.0',
  timestamp: '2026-12-01T10:00:00.000Z',
  requestContext: { requestId, functionArn: arnOf(fn), condition, approximateInvokeCount: 1 },
  requestPayload: payload,
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  ...(response === undefined ? {} : { responsePayload: response }),
});

describe('the failure reporter: every failed invocation reported once, to its cluster', () => {
  let dir: string;
  let sent: OutboundMessage[];
  let clock: number;
  const logger = new Logger({ logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'ClusterDoctor', serviceName: 'test' });
  const reporter = () =>
    makeFailureReporter({
      env: ENV,
      document: () => DOCUMENT,
      state: () => new FileStateStore(dir),
      sink: () => ({ publish: async (m) => void sent.push(m) }),
      logger,
      metrics,
      now: () => new Date(clock),
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-reporter-'));
    sent = [];
    clock = Date.parse('2026-12-01T10:00:00Z');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a timeout, then an out-of-memory kill: one critical naming the first, the second only counted', async () => {
    const report = reporter();
    const timeout = {
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: abc-1 Error: Task timed out after 80.00 seconds',
    };
    expect(await report(failed('abc-1', { cluster: 'orders-cache', kind: 'frequent' }, timeout))).toEqual({
      cluster: 'orders-cache',
      outcome: 'published',
      error: 'Sandbox.Timedout: Error: Task timed out after 80.00 seconds',
    });
    clock += 300_000;
    const oom = {
      errorType: 'Runtime.OutOfMemory',
      errorMessage: 'RequestId: abc-2 Error: Runtime exited with error: signal: killed',
    };
    expect((await report(failed('abc-2', { cluster: 'orders-cache', kind: 'frequent' }, oom))).outcome).toBe(
      'counted',
    );
    expect(sent.map((m) => [m.kind, m.severity, m.cluster, m.subject])).toEqual([
      [
        'checker-error',
        'critical',
        'orders-cache',
        'cluster-doctor CRIT orders-cache: scheduled check failing',
      ],
    ]);
    expect(sent[0]?.email).toContain('Task timed out after 80.00 seconds');
    expect(await new FileStateStore(dir).loadFailure('orders-cache', 'check')).toMatchObject({
      failures: 2,
      failingSince: '2026-12-01T10:00:00.000Z',
      lastError: 'Runtime.OutOfMemory: Error: Runtime exited with error: signal: killed',
      lastRequestId: 'abc-2',
    });
    // Nightly: the reminder.
    await report(failed('abc-3', { cluster: 'orders-cache', kind: 'nightly' }, oom));
    expect(sent.map((m) => [m.kind, m.severity])).toEqual([
      ['checker-error', 'critical'],
      ['digest', 'warning'],
    ]);
  });

  it("a failure the handler's wrapper already reported is not reported or counted again", async () => {
    const state = new FileStateStore(dir);
    await expect(
      reportingFailures(
        {
          cluster: 'orders-cache',
          role: 'remediation',
          state,
          sink: { publish: async (m) => void sent.push(m) },
          logger,
          now: () => new Date(clock),
          nightly: false,
          requestId: 'req-9',
        },
        async () => {
          throw new Error('no route to the cluster');
        },
      ),
    ).rejects.toThrow();
    const outcome = await reporter()(
      failed(
        'req-9',
        { cluster: 'orders-cache' },
        { errorType: 'Error', errorMessage: 'no route to the cluster' },
        'ClusterDoctor-paris-app-vpc-fix',
      ),
    );
    expect(outcome.outcome).toBe('already-reported');
    expect(sent).toHaveLength(1);
    expect((await state.loadFailure('orders-cache', 'remediation'))?.failures).toBe(1);
  });

  it('a publish the topic took but answered late: the nightly reminder is not sent twice, the first page may be', async () => {
    const state = new FileStateStore(dir);
    // SNS delivered each message, but its answer came after the SDK's request timeout.
    const late = async (m: OutboundMessage) => {
      sent.push(m);
      throw new Error('TimeoutError: the request timed out');
    };
    const run = (requestId: string, nightly: boolean) =>
      reportingFailures(
        {
          cluster: 'orders-cache',
          role: 'check',
          state,
          sink: { publish: late },
          logger,
          now: () => new Date(clock),
          nightly,
          requestId,
        },
        async () => {
          throw new Error('no route to the cluster');
        },
      ).catch(() => undefined);
    const payload = (nightly: boolean) => ({
      cluster: 'orders-cache',
      kind: nightly ? 'nightly' : 'frequent',
    });
    const response = { errorType: 'Error', errorMessage: 'no route to the cluster' };

    // The first failure: the page went out, the record was not saved, so the reporter pages again.
    // Twice is the price of never losing the first page.
    await run('req-1', false);
    expect(await state.loadFailure('orders-cache', 'check')).toBeUndefined();
    expect((await reporter()(failed('req-1', payload(false), response))).outcome).toBe('published');
    expect(sent.map((m) => m.kind)).toEqual(['checker-error', 'checker-error']);

    // The nightly run: its reminder is recorded before it is sent, so the reporter knows it was.
    clock += 3_600_000;
    await run('req-2', true);
    expect((await state.loadFailure('orders-cache', 'check'))?.lastRequestId).toBe('req-2');
    expect((await reporter()(failed('req-2', payload(true), response))).outcome).toBe('already-reported');
    expect(sent.map((m) => m.kind)).toEqual(['checker-error', 'checker-error', 'digest']);
  });
  it('an init error, and an event that aged out unrun, are failures of the cluster the event named', async () => {
    const report = reporter();
    await report(
      failed(
        'i-1',
        { cluster: 'sessions', kind: 'frequent' },
        {
          errorType: 'Runtime.ImportModuleError',
          errorMessage: "Error: Cannot find module 'index'",
        },
        'ClusterDoctor-paris-batch-vpc-check',
      ),
    );
    await report(
      failed(
        'i-2',
        { cluster: 'orders-cache', kind: 'frequent' },
        undefined,
        'ClusterDoctor-paris-app-vpc-check',
        'EventAgeExceeded',
      ),
    );
    expect(sent.map((m) => [m.cluster, m.email.split('\n')[2]])).toEqual([
      ['sessions', "Runtime.ImportModuleError: Error: Cannot find module 'index'"],
      ['orders-cache', expect.stringMatching(/^the run never started: its event waited in Lambda's queue/)],
    ]);
  });

  it('nothing for a failure it cannot attribute: an unknown function, a cluster not served there, a forged name', async () => {
    const report = reporter();
    for (const record of [
      failed('n-1', { cluster: 'orders-cache' }, {}, 'SomeoneElse-check'),
      failed('n-2', { cluster: 'sessions' }, {}, 'ClusterDoctor-paris-app-vpc-check'),
      failed('n-3', { cluster: 'constructor' }, {}),
      failed('n-4', 'not an object', {}),
    ])
      expect((await report(record)).outcome).toBe('not-attributable');
    await expect(report({ requestContext: {} })).rejects.toThrow(/invalid event/);
    expect(sent).toEqual([]);
  });

  it('says which resource was denied, without its ARN or the account', () => {
    expect(
      withoutAccountDetails(
        'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ClusterDoctor-paris-Role/ClusterDoctor-paris-app-vpc-check is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-3:123456789012:secret:cluster-doctor/orders-cache-AbCdEf because no identity-based policy allows it (account 123456789012)',
      ),
    ).toBe(
      'AccessDeniedException: User: sts assumed-role/ClusterDoctor-paris-Role/ClusterDoctor-paris-app-vpc-check is not authorized to perform: secretsmanager:GetSecretValue on resource: secretsmanager secret cluster-doctor/orders-cache because no identity-based policy allows it (account <account>)',
    );
  });
});
