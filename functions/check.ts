import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHECK_SUCCEEDED_METRIC } from '../lib/config/function-env';
import { SnsSink } from '../lib/notify/sns-sink';
import { makeCheckHandler } from '../lib/service/check-handler';
import { parseSecret } from '../lib/service/lambda-runtime';
import { DynamoHeartbeats, DynamoStateStore } from '../lib/state/dynamo-store';

const logger = new Logger({ serviceName: 'cluster-doctor-check' });
const metrics = new Metrics({ namespace: CHECK_SUCCEEDED_METRIC.namespace, serviceName: 'cluster-doctor' });
const sns = new SNSClient({});
const lambda = new LambdaClient({});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * Invoked by each cluster's schedules with `{ cluster, kind, settings }` (a placement's function serves
 * many clusters, one invocation each). Wiring only: the logic is lib/service.
 */
export const handler = makeCheckHandler({
  env: process.env,
  // Cached for the container's life (an hour at most), not Powertools' default 5 s; read again
  // (`fresh`) when the cluster refuses it, so a rotation costs one extra read, not an hour of blindness.
  credentials: async (arn, options) =>
    parseSecret(await getSecret<string>(arn, { maxAge: 3600, forceFetch: options?.fresh ?? false })),
  state: (table) => new DynamoStateStore(ddb, table),
  sink: (topic) => new SnsSink(sns, topic),
  // Asynchronous, one invocation per cluster: a long fix never holds up a check; the lock in the table
  // keeps two fixes off one cluster.
  invokeRemediation: async (functionName, cluster, settings) => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: JSON.stringify(settings ? { cluster, settings } : { cluster }),
      }),
    );
  },
  heartbeat: (table, cluster, at) => new DynamoHeartbeats(ddb, table).record(cluster, at),
  logger,
  metrics,
});
