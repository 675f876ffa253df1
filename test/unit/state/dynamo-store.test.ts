import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoLock, DynamoStateStore } from '../../../lib/state/dynamo-store';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));

const problem = {
  id: 'slot-open',
  severity: 'warning',
  summary: 'slot 300 is open',
  firstSeen: '2026-12-01T10:00:00.000Z',
  lastSeen: '2026-12-01T10:05:00.000Z',
};

describe('DynamoStateStore', () => {
  beforeEach(() => ddb.reset());

  it('loads the cluster item consistently, and an empty state when there is none', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .resolvesOnce({ Item: { state: { open: { a: problem } } } })
      .resolvesOnce({ Item: { state: { open: { a: 1 } } } });
    const store = new DynamoStateStore(doc, 'state-table');
    expect(await store.load('prod-cache')).toEqual({ open: {} });
    expect(await store.load('prod-cache')).toEqual({ open: { a: problem } });
    // Stored state is parsed, not cast: an item that does not fit says where and what.
    await expect(store.load('prod-cache')).rejects.toThrow(
      /state-table prod-cache\/state: stored state does not match its schema: open\.a: /,
    );
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'state-table',
      Key: { pk: 'prod-cache', sk: 'state' },
      ConsistentRead: true,
    });
  });

  it('saves under the cluster key with a TTL about 30 days ahead', async () => {
    ddb.on(PutCommand).resolves({});
    await new DynamoStateStore(doc, 'state-table').save('prod-cache', { open: {} });
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.Item).toMatchObject({ pk: 'prod-cache', sk: 'state', state: { open: {} } });
    const ttl = Number(input?.Item?.expiresAt) - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(29 * 86400);
    expect(ttl).toBeLessThan(31 * 86400);
  });
});

describe('DynamoLock', () => {
  beforeEach(() => ddb.reset());

  it('acquires with a conditional put, and refuses when another unexpired lock exists', async () => {
    ddb
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'held', $metadata: {} }));
    const lock = new DynamoLock(doc, 'state-table', 'prod-cache', 'req-1', 960_000);
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire()).toBe(false);
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :now');
    expect(input?.Item).toMatchObject({ pk: 'prod-cache#lock', sk: 'lock', owner: 'req-1' });
    // The lease given: a lock a dead run left expires 16 minutes on, not sooner, not never.
    const expiresAt = Number(input?.Item?.expiresAt);
    expect(Math.abs(expiresAt - (Date.now() + 960_000) / 1000)).toBeLessThan(60);
  });

  it('releases only its own lock', async () => {
    ddb.on(DeleteCommand).resolves({});
    await new DynamoLock(doc, 'state-table', 'prod-cache', 'req-1', 960_000).release();
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: 'state-table',
      Key: { pk: 'prod-cache#lock', sk: 'lock' },
      ConditionExpression: '#owner = :me',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':me': 'req-1' },
    });
  });

  it('other errors are not mistaken for a held lock', async () => {
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(new DynamoLock(doc, 't', 'c', 'o', 960_000).acquire()).rejects.toThrow(
      'ProvisionedThroughput',
    );
  });
});
