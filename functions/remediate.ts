import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { CHECK_SUCCEEDED_METRIC } from '../lib/config/function-env';
import { SnsSink } from '../lib/notify/sns-sink';
import { parseSecret } from '../lib/service/lambda-runtime';
import { makeRemediateHandler } from '../lib/service/remediate-handler';
import { DynamoLock, DynamoStateStore } from '../lib/state/dynamo-store';

const logger = new Logger({ serviceName: 'cluster-doctor-remediate' });
const metrics = new Metrics({ namespace: CHECK_SUCCEEDED_METRIC.namespace, serviceName: 'cluster-doctor' });
const sns = new SNSClient({});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
/** Time kept after the last action for the report, the history, the messages and the lock release. */
const REPORT_MARGIN_MS = 60_000;
let invocation = 0;
let remainingAtStart: number | undefined;

const remediate = makeRemediateHandler({
  env: process.env,
  credentials: async (arn, options) =>
    parseSecret(await getSecret<string>(arn, { maxAge: 3600, forceFetch: options?.fresh ?? false })),
  lock: (table, cluster) =>
    new DynamoLock(ddb, table, cluster, `remediate-${process.pid}-${Date.now()}-${++invocation}`),
  sink: (topic) => new SnsSink(sns, topic),
  state: (table) => new DynamoStateStore(ddb, table),
  record: (table, cluster, at, action) => new DynamoStateStore(ddb, table).recordAction(cluster, at, action),
  logger,
  metrics,
  deadlineAt: () => (remainingAtStart === undefined ? undefined : remainingAtStart - REPORT_MARGIN_MS),
});

/** Invoked asynchronously by the check function only, with `{ cluster, settings }`. Wiring only. */
export const handler = (event: unknown, context?: Context) => {
  remainingAtStart = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
  return remediate(event);
};
