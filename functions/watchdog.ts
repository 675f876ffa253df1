import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHECK_SUCCEEDED_METRIC } from '../lib/config/function-env';
import { SnsSink } from '../lib/notify/sns-sink';
import { makeWatchdogHandler } from '../lib/service/watchdog';
import { DynamoHeartbeats } from '../lib/state/dynamo-store';

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sns = new SNSClient({});

/** Invoked by its schedule every 5 minutes. Wiring only: the logic is lib/service/watchdog.ts. */
export const handler = makeWatchdogHandler({
  env: process.env,
  heartbeats: (table) => new DynamoHeartbeats(ddb, table),
  sink: (topic) => new SnsSink(sns, topic),
  logger: new Logger({ serviceName: 'cluster-doctor-watchdog' }),
  metrics: new Metrics({ namespace: CHECK_SUCCEEDED_METRIC.namespace, serviceName: 'cluster-doctor' }),
});
