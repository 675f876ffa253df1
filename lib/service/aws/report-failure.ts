import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { METRICS } from '../../config/function-env';
import { parseDeploymentDocument, SETTINGS_LAYER } from '../../config/placement-settings';
import { SnsSink } from '../../notify/sns-sink';
import { DynamoStateStore } from '../../state/dynamo-store';
import { type FailureReporterDeps, makeFailureReporter } from '../failure-reporter';
import { CLIENT_CONFIG, documentClient } from './clients';
import { layerDocument } from './layer-document';

/** The failure reporter as deployed (functions/report-failure.ts is this, on `process.env`). */
export function awsFailureReporter(env: NodeJS.ProcessEnv, overrides: Partial<FailureReporterDeps> = {}) {
  const ddb = documentClient();
  const sns = new SNSClient(CLIENT_CONFIG);
  return makeFailureReporter({
    env,
    document: layerDocument(env, SETTINGS_LAYER.deployment, parseDeploymentDocument),
    state: (table) => new DynamoStateStore(ddb, table),
    sink: (topic) => new SnsSink(sns, topic),
    logger: new Logger({ serviceName: 'cluster-doctor-report-failure' }),
    metrics: new Metrics({ namespace: METRICS.namespace, serviceName: 'cluster-doctor' }),
    ...overrides,
  });
}
