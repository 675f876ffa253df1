import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MotoServer } from '../../../lib/harness/moto';
import type { OutboundMessage } from '../../../lib/notify/types';
import { nextFailureRecord, recordFailedRun } from '../../../lib/service/failure-record';
import { DynamoStateStore } from '../../../lib/state/dynamo-store';
import { FileStateStore } from '../../../lib/state/file-store';
import type { StateStore } from '../../../lib/state/types';

/**
 * A cluster's nightly and frequent checks fire in the same minute and fail together. Each reads the
 * failure record, then saves its own: the frequent run's save can land after the nightly run's
 * reminder. The failure reporter, handed the nightly invocation afterwards, must still know that
 * tonight's reminder was sent (it sent a second one in the pager simulation on a loaded host).
 * And two runs that start failing together both find no record: only one may page. DynamoDB over
 * the real protocol (moto evaluates the conditions), and the file store.
 */
let moto: MotoServer;
let scratch: string;
let dynamo: DynamoStateStore;

beforeAll(async () => {
  moto = await MotoServer.start();
  scratch = mkdtempSync(join(tmpdir(), 'cluster-doctor-race-'));
  const client = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'AKIATESTTESTTESTTEST', secretAccessKey: 'test' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'state',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
  dynamo = new DynamoStateStore(DynamoDBDocumentClient.from(client), 'state');
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const run = (requestId: string, at: string, nightly: boolean) => ({
  cluster: 'orders',
  role: 'check' as const,
  error: 'ResourceNotFoundException: secret marked for deletion',
  at,
  nightly,
  requestId,
});

describe.each([
  ['DynamoDB (moto)', () => dynamo],
  ['the file store', () => new FileStateStore(scratch)],
])('overlapping runs of one cluster, %s', (_name, store: () => StateStore) => {
  it('one reminder a night: a save that read the record before the reminder does not undo it', async () => {
    const state = store();
    const started = nextFailureRecord(undefined, run('r0', '2026-12-01T01:00:00.000Z', false));
    await state.saveFailure('orders', 'check', started?.record);

    // 03:00: both read the record of 01:00, both fail.
    const seenByNightly = await state.loadFailure('orders', 'check');
    const seenByFrequent = await state.loadFailure('orders', 'check');
    const nightly = nextFailureRecord(seenByNightly, run('r-nightly', '2026-12-01T03:00:00.000Z', true));
    const frequent = nextFailureRecord(seenByFrequent, run('r-frequent', '2026-12-01T03:00:01.000Z', false));
    expect(nightly?.message?.kind).toBe('digest');
    expect(frequent?.message).toBeUndefined();
    // The nightly run records its reminder; the frequent run's save lands after it.
    await state.saveFailure('orders', 'check', nightly?.record);
    await state.saveFailure('orders', 'check', frequent?.record);

    const stored = await state.loadFailure('orders', 'check');
    expect(stored?.lastReminderAt).toBe('2026-12-01T03:00:00.000Z');
    expect(stored?.lastRequestId).toBe('r-frequent');
    // The reporter, handed the failed nightly invocation: counted, not reminded again.
    const reported = nextFailureRecord(stored, run('r-nightly', '2026-12-01T03:00:05.000Z', true));
    expect(reported?.message).toBeUndefined();
    // The next night reminds again.
    const nextNight = nextFailureRecord(stored, run('r-2', '2026-12-02T03:00:00.000Z', true));
    expect(nextNight?.message?.kind).toBe('digest');

    // Recovery deletes the record, reminder time and all.
    await state.saveFailure('orders', 'check', undefined);
    expect(await state.loadFailure('orders', 'check')).toBeUndefined();
  });

  it('the start of an outage pages once when the nightly and the frequent run start failing together', async () => {
    const state = bothReadFirst(store());
    const sent: OutboundMessage[] = [];
    const publish = async (m: OutboundMessage) => {
      sent.push(m);
    };
    const outcomes = await Promise.all([
      recordFailedRun(state, run('r-nightly', '2026-12-03T03:00:00.000Z', true), publish),
      recordFailedRun(state, run('r-frequent', '2026-12-03T03:00:00.500Z', false), publish),
    ]);
    expect(outcomes.sort()).toEqual(['counted', 'published']);
    // One "failing" page, and no reminder of a start half a second old.
    expect(sent.map((m) => m.kind)).toEqual(['checker-error']);
    const stored = await state.loadFailure('orders', 'check');
    expect(stored?.failures).toBe(2);
    expect(['2026-12-03T03:00:00.000Z', '2026-12-03T03:00:00.500Z']).toContain(stored?.failingSince);
    expect(stored?.lastReminderAt).toBeUndefined();
    await state.saveFailure('orders', 'check', undefined);
  });

  it('a start page the topic refused withdraws the claim: the failure reporter sends it', async () => {
    const state = store();
    const refused = recordFailedRun(state, run('r-1', '2026-12-04T03:00:00.000Z', false), () =>
      Promise.reject(new Error('AuthorizationError: not allowed to publish')),
    );
    await expect(refused).rejects.toThrow('not allowed to publish');
    expect(await state.loadFailure('orders', 'check')).toBeUndefined();
    // Lambda hands the failed invocation to the reporter, whose role may publish.
    const sent: OutboundMessage[] = [];
    const outcome = await recordFailedRun(state, run('r-1', '2026-12-04T03:00:02.000Z', false), async (m) => {
      sent.push(m);
    });
    expect(outcome).toBe('published');
    expect(sent.map((m) => m.kind)).toEqual(['checker-error']);
    expect((await state.loadFailure('orders', 'check'))?.failures).toBe(1);
    await state.saveFailure('orders', 'check', undefined);
  });
});

/**
 * The store, with its first two failure-record reads held until both were asked: the two runs race.
 * Their claims reach the store one after the other: DynamoDB evaluates a condition atomically with
 * its item's write, moto's threaded server does not (two concurrent claims both succeeded there),
 * and the file store's link is atomic anyway.
 */
function bothReadFirst(state: StateStore): StateStore {
  let waiting: (() => void) | undefined;
  let reads = 0;
  let claims: Promise<unknown> = Promise.resolve();
  const loadFailure: StateStore['loadFailure'] = async (cluster, role) => {
    reads += 1;
    if (reads === 1) await new Promise<void>((resolve) => (waiting = resolve));
    else if (reads === 2) waiting?.();
    return state.loadFailure(cluster, role);
  };
  const claimFailure: StateStore['claimFailure'] = (cluster, role, record) => {
    const claimed = claims.then(() => state.claimFailure(cluster, role, record));
    claims = claimed.catch(() => undefined);
    return claimed;
  };
  return Object.assign(Object.create(state) as StateStore, { loadFailure, claimFailure });
}
