import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { METRICS } from '../../config/function-env';
import { parsePlacementSettings, SETTINGS_LAYER } from '../../config/placement-settings';
import { LAMBDA_LIMIT_S } from '../../config/time-budget';
import { SnsSink } from '../../notify/sns-sink';
import { DynamoLock, DynamoStateStore } from '../../state/dynamo-store';
import { makeRemediateHandler, type RemediateHandlerDeps } from '../remediate-handler';
import { CLIENT_CONFIG, documentClient } from './clients';
import { layerDocument } from './layer-document';
import { secretReader } from './secrets';

/**
 * The remediation function as deployed (functions/remediate.ts is this, on `process.env`): the
 * placement's settings from its layer, the lock, state and history in DynamoDB, audit messages to SNS.
 */
export function awsRemediateHandler(env: NodeJS.ProcessEnv, overrides: Partial<RemediateHandlerDeps> = {}) {
  const ddb = documentClient();
  const sns = new SNSClient(CLIENT_CONFIG);
  let invocation = 0;
  return makeRemediateHandler({
    env,
    settings: layerDocument(env, SETTINGS_LAYER.placement, parsePlacementSettings),
    credentials: secretReader(
      new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(CLIENT_CONFIG) }),
    ),
    lock: (table, cluster) =>
      new DynamoLock(
        ddb,
        table,
        cluster,
        `remediate-${process.pid}-${Date.now()}-${++invocation}`,
        // Just past the Lambda limit: a run that dies anyway blocks the next one a minute, not twenty.
        (LAMBDA_LIMIT_S + 60) * 1000,
      ),
    sink: (topic) => new SnsSink(sns, topic),
    state: (table) => new DynamoStateStore(ddb, table),
    record: (table, cluster, at, action) =>
      new DynamoStateStore(ddb, table).recordAction(cluster, at, action),
    logger: new Logger({ serviceName: 'cluster-doctor-remediate' }),
    metrics: new Metrics({ namespace: METRICS.namespace, serviceName: 'cluster-doctor' }),
    ...overrides,
  });
}
