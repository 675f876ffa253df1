import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { WATCHDOG_KEY } from '../config/function-env';
import { LAMBDA_LIMIT_S } from '../config/time-budget';
import type { RemediationLock } from '../guard/lock';
import {
  type ClusterState,
  clusterStateSchema,
  emptyState,
  type FailureRecord,
  type FunctionRole,
  failureRecordSchema,
  noticesSchema,
  parseStored,
  type StateStore,
} from './types';

const DAY_S = 86_400;
const epochSeconds = (ms = Date.now()) => Math.floor(ms / 1000);

/**
 * Run memory in the state table: one item per cluster (`pk = <cluster>`, `sk = state`), expiring
 * 30 days after the last run so a removed cluster cleans itself up.
 */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async load(cluster: string): Promise<ClusterState> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: cluster, sk: 'state' }, ConsistentRead: true }),
    );
    return Item?.state === undefined
      ? emptyState()
      : parseStored(clusterStateSchema, Item.state, `${this.table} ${cluster}/state`);
  }

  async save(cluster: string, state: ClusterState): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: cluster, sk: 'state', state, expiresAt: epochSeconds() + 30 * DAY_S },
      }),
    );
  }

  /** Under `sk = failure#<role>`, so a failure record never touches the run state it may not be able to read. */
  async loadFailure(cluster: string, role: FunctionRole): Promise<FailureRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: cluster, sk: `failure#${role}` },
        ConsistentRead: true,
      }),
    );
    return Item?.record === undefined
      ? undefined
      : parseStored(failureRecordSchema, Item.record, `${this.table} ${cluster}/failure#${role}`);
  }

  async saveFailure(cluster: string, role: FunctionRole, record: FailureRecord | undefined): Promise<void> {
    const Key = { pk: cluster, sk: `failure#${role}` };
    if (!record) {
      await this.client.send(new DeleteCommand({ TableName: this.table, Key }));
      return;
    }
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...Key, record, expiresAt: epochSeconds() + 30 * DAY_S },
      }),
    );
  }

  async loadNotices(cluster: string): Promise<Record<string, string>> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { pk: cluster, sk: 'notices' }, ConsistentRead: true }),
    );
    return Item?.notices === undefined
      ? {}
      : parseStored(noticesSchema, Item.notices, `${this.table} ${cluster}/notices`);
  }

  async saveNotices(cluster: string, notices: Record<string, string>): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: cluster, sk: 'notices', notices, expiresAt: epochSeconds() + 30 * DAY_S },
      }),
    );
  }

  /** Appends one remediation action to the cluster's history (kept 90 days). */
  async recordAction(cluster: string, at: string, action: Record<string, unknown>): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `${cluster}#history`,
          sk: `${at}#${String(action.key ?? '')}`,
          action,
          expiresAt: epochSeconds() + 90 * DAY_S,
        },
      }),
    );
  }
}

const staleSchema = z.record(z.string(), z.string());

/**
 * What the watchdog reads and remembers: each cluster's last successful check (`pk = <cluster>`,
 * `sk = heartbeat`, written by the check function) and the clusters it already said were stale.
 */
export class DynamoHeartbeats {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Written by the check after a run that could observe the cluster; expires with the cluster's state. */
  async record(cluster: string, at: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: cluster, sk: 'heartbeat', at, expiresAt: epochSeconds() + 30 * DAY_S },
      }),
    );
  }

  /** cluster -> time of its last successful check; a cluster never checked has no entry. */
  async lastSuccesses(clusters: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    // BatchGetItem reads at most 100 keys per call, and may hand some back unprocessed.
    for (let i = 0; i < clusters.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = clusters
        .slice(i, i + 100)
        .map((cluster) => ({ pk: cluster, sk: 'heartbeat' }));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`${this.table}: heartbeats still unprocessed after 5 reads`);
        const out: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: 'pk, #at',
                ExpressionAttributeNames: { '#at': 'at' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[this.table] ?? [])
          if (typeof item.at === 'string') found.set(String(item.pk), item.at);
        keys = out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  /** cluster -> since when the watchdog has said it is stale. */
  async loadStale(): Promise<Record<string, string>> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: WATCHDOG_KEY, ConsistentRead: true }),
    );
    return Item?.stale === undefined
      ? {}
      : parseStored(staleSchema, Item.stale, `${this.table} ${WATCHDOG_KEY.pk}`);
  }

  async saveStale(stale: Record<string, string>): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { ...WATCHDOG_KEY, stale } }));
  }
}

/**
 * Single flight across Lambda invocations: a conditional put that succeeds only when no unexpired
 * lock exists. The lease outlives the remediation function's timeout by a minute, so a crashed run's
 * lock expires by itself; release deletes only our own lock.
 */
export class DynamoLock implements RemediationLock {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly cluster: string,
    private readonly owner: string,
    // Just past the Lambda limit: a run that dies anyway blocks the next one a minute, not twenty.
    private readonly leaseMs = (LAMBDA_LIMIT_S + 60) * 1000,
  ) {}

  private get key() {
    return { pk: `${this.cluster}#lock`, sk: 'lock' };
  }

  async acquire(): Promise<boolean> {
    const now = Date.now();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key,
            owner: this.owner,
            acquiredAt: new Date(now).toISOString(),
            expiresAt: epochSeconds(now + this.leaseMs),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as { name?: string }).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  async release(): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key,
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': this.owner },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async holder(): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }),
    );
    return Item ? `${String(Item.owner)} since ${String(Item.acquiredAt)}` : undefined;
  }
}
