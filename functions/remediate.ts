import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SnsSink } from '../lib/notify/sns-sink';
import { parseSecret } from '../lib/service/lambda-runtime';
import { makeRemediateHandler } from '../lib/service/remediate-handler';
import { DynamoLock, DynamoStateStore } from '../lib/state/dynamo-store';

const logger = new Logger({ serviceName: 'cluster-doctor-remediate' });
const sns = new SNSClient({});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
let invocation = 0;

/** Invoked asynchronously by the check function only, with `{ cluster }`. Wiring only. */
export const handler = makeRemediateHandler({
  env: process.env,
  credentials: async (arn) => parseSecret(await getSecret<string>(arn, { maxAge: 3600 })),
  lock: (table, cluster) =>
    new DynamoLock(ddb, table, cluster, `remediate-${process.pid}-${Date.now()}-${++invocation}`),
  sink: (topic) => new SnsSink(sns, topic),
  record: (table, cluster, at, action) => new DynamoStateStore(ddb, table).recordAction(cluster, at, action),
  logger,
});
