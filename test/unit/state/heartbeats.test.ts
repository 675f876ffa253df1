import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoHeartbeats } from '../../../lib/state/dynamo-store';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-3' }));
beforeEach(() => ddb.reset());
afterAll(() => ddb.restore());

describe('DynamoHeartbeats', () => {
  it("records a cluster's last successful check under its own partition key", async () => {
    ddb.on(PutCommand).resolves({});
    await new DynamoHeartbeats(doc, 'state').record('orders-cache', '2026-12-01T12:00:00.000Z');
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'state',
      Item: {
        pk: 'orders-cache',
        sk: 'heartbeat',
        at: '2026-12-01T12:00:00.000Z',
        expiresAt: expect.any(Number),
      },
    });
  });

  it('reads heartbeats 100 keys a call, consistently, and reads again what came back unprocessed', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `c${i}`);
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { state: [{ pk: 'c0', at: 'a' }] },
        UnprocessedKeys: { state: { Keys: [{ pk: 'c1', sk: 'heartbeat' }] } },
      })
      .resolvesOnce({ Responses: { state: [{ pk: 'c1', at: 'b' }] } })
      .resolvesOnce({ Responses: { state: [{ pk: 'c149', at: 'c' }] } });
    const found = await new DynamoHeartbeats(doc, 'state').lastSuccesses(names);
    expect([...found]).toEqual([
      ['c0', 'a'],
      ['c1', 'b'],
      ['c149', 'c'],
    ]);
    const inputs = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.RequestItems?.state?.Keys?.length)).toEqual([100, 1, 50]);
    expect(inputs[0]?.RequestItems?.state).toMatchObject({
      ConsistentRead: true,
      ProjectionExpression: 'pk, #at',
      ExpressionAttributeNames: { '#at': 'at' },
    });
    expect(inputs[1]?.RequestItems?.state?.Keys).toEqual([{ pk: 'c1', sk: 'heartbeat' }]);
  });

  it("keeps the watchdog's own record under a key no cluster can have", async () => {
    ddb.on(GetCommand).resolves({ Item: { stale: { slow: '2026-12-01T12:00:00.000Z' } } });
    ddb.on(PutCommand).resolves({});
    const store = new DynamoHeartbeats(doc, 'state');
    expect(await store.loadStale()).toEqual({ slow: '2026-12-01T12:00:00.000Z' });
    await store.saveStale({});
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'state',
      Key: { pk: '#watchdog', sk: 'stale' },
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'state',
      Item: { pk: '#watchdog', sk: 'stale', stale: {} },
    });
  });
});
