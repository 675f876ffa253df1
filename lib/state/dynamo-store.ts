import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RemediationLock } from '../guard/lock';
import {
  type ClusterState,
  clusterStateSchema,
  emptyState,
  type FailureRecord,
  type FunctionRole,
  failureRecordSchema,
  laterReminder,
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
    if (Item?.record === undefined) return undefined;
    const record = parseStored(failureRecordSchema, Item.record, `${this.table} ${cluster}/failure#${role}`);
    const lastReminderAt = laterReminder(
      record.lastReminderAt,
      typeof Item.remindedAt === 'string' ? Item.remindedAt : undefined,
    );
    return lastReminderAt === undefined ? record : { ...record, lastReminderAt };
  }

  async saveFailure(cluster: string, role: FunctionRole, record: FailureRecord | undefined): Promise<void> {
    const Key = { pk: cluster, sk: `failure#${role}` };
    if (!record) {
      // An update, not a DeleteItem: the failure reporter's role may change a record's attributes
      // only (it withdraws a start it could not page); the item's time to live removes the rest.
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'REMOVE #record, remindedAt',
          ExpressionAttributeNames: { '#record': 'record' },
        }),
      );
      return;
    }
    // The record is replaced; the reminder time beside it only moves forward (a conditional update
    // of its own), so a concurrent run that read the record before a nightly reminder cannot undo it.
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'SET #record = :record, expiresAt = :expires',
        ExpressionAttributeNames: { '#record': 'record' },
        ExpressionAttributeValues: { ':record': record, ':expires': epochSeconds() + 30 * DAY_S },
      }),
    );
    if (record.lastReminderAt === undefined) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'SET remindedAt = :at',
          ConditionExpression: 'attribute_not_exists(remindedAt) OR remindedAt < :at',
          ExpressionAttributeValues: { ':at': record.lastReminderAt },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async claimFailure(cluster: string, role: FunctionRole, record: FailureRecord): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: cluster, sk: `failure#${role}` },
          UpdateExpression: 'SET #record = :record, expiresAt = :expires REMOVE remindedAt',
          ConditionExpression: 'attribute_not_exists(#record)',
          ExpressionAttributeNames: { '#record': 'record' },
          ExpressionAttributeValues: { ':record': record, ':expires': epochSeconds() + 30 * DAY_S },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
    /** How long a lock outlives a run that never released it (the caller knows its time limit). */
    private readonly leaseMs: number,
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
