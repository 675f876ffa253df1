import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { METRICS } from '../../config/function-env';
import { parsePlacementSettings, SETTINGS_LAYER } from '../../config/placement-settings';
import { SnsSink } from '../../notify/sns-sink';
import { DynamoStateStore } from '../../state/dynamo-store';
import { type CheckHandlerDeps, makeCheckHandler } from '../check-handler';
import { CLIENT_CONFIG, documentClient } from './clients';
import { layerDocument } from './layer-document';
import { secretReader } from './secrets';

/**
 * The check function as deployed (functions/check.ts is this, on `process.env`): the placement's
 * settings from its layer, the secret from Secrets Manager, state in DynamoDB,
 * messages to SNS, remediation handed to the placement's fix function. Tests build it the same way,
 * overriding only the clock or the observer.
 */
export function awsCheckHandler(env: NodeJS.ProcessEnv, overrides: Partial<CheckHandlerDeps> = {}) {
  const ddb = documentClient();
  const sns = new SNSClient(CLIENT_CONFIG);
  const lambda = new LambdaClient(CLIENT_CONFIG);
  return makeCheckHandler({
    env,
    settings: layerDocument(env, SETTINGS_LAYER.placement, parsePlacementSettings),
    credentials: secretReader(
      new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(CLIENT_CONFIG) }),
    ),
    state: (table) => new DynamoStateStore(ddb, table),
    sink: (topic) => new SnsSink(sns, topic),
    // Asynchronous, one invocation per cluster: a long fix never holds up a check; the lock in the
    // table keeps two fixes off one cluster. The event names the cluster and nothing else.
    invokeRemediation: async (functionName, cluster) => {
      await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: JSON.stringify({ cluster }),
        }),
      );
    },
    logger: new Logger({ serviceName: 'cluster-doctor-check' }),
    metrics: new Metrics({ namespace: METRICS.namespace, serviceName: 'cluster-doctor' }),
    ...overrides,
  });
}
