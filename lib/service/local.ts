import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS, toPlacementEnv } from '../config/function-env';
import type { PlacementSettings } from '../config/placement-settings';
import { FileLock } from '../guard/lock';
import type { MessageSink } from '../notify/types';
import type { FixResult } from '../remediate/fix';
import { FileStateStore } from '../state/file-store';
import { type CheckHandlerDeps, makeCheckHandler } from './check-handler';
import type { Credentials } from './lambda-runtime';
import { makeRemediateHandler } from './remediate-handler';

export interface LocalPlacementOptions {
  /** What each cluster's runs may do: the document the stack would build into the settings layer. */
  settings: PlacementSettings;
  /** Where the runs remember (state, failure records, notices) and take their locks. */
  stateDir: string;
  sink: MessageSink;
  /** A cluster's credentials by its secret's name (locally: a password from the environment, or none). */
  credentials?: (secretArn: string) => Promise<Credentials>;
  /** Every remediation run's result, as the check hands a cluster to the remediation function. */
  onRemediation?: (cluster: string, result: FixResult) => void;
  now?: () => Date;
  observe?: CheckHandlerDeps['observe'];
  logLevel?: 'SILENT' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * A placement's check and remediation handlers as the Lambda functions are built
 * (lib/service/aws/*.ts), with local edges instead of AWS: state and locks in files, messages to a
 * sink, the remediation run invoked in-process (and awaited) where Lambda would invoke the fix
 * function asynchronously. The demo and the soak run the scheduled path through these.
 */
export function localPlacement(options: LocalPlacementOptions) {
  const state = new FileStateStore(options.stateDir);
  const env = toPlacementEnv({ topicArn: 'local', tableName: 'local', remediationFunction: 'local' });
  const logger = new Logger({ serviceName: 'cluster-doctor', logLevel: options.logLevel ?? 'SILENT' });
  const silentMetrics = new QuietMetrics({
    namespace: METRICS.namespace,
    serviceName: 'cluster-doctor',
  });
  const credentials = options.credentials ?? (async () => ({}));
  const remediate = makeRemediateHandler({
    env,
    settings: () => options.settings,
    credentials,
    lock: (_table, cluster) => new FileLock(join(options.stateDir, `${cluster}.lock`)),
    sink: () => options.sink,
    state: () => state,
    record: async () => {},
    logger,
    metrics: silentMetrics,
    now: options.now,
  });
  const check = makeCheckHandler({
    env,
    settings: () => options.settings,
    credentials,
    state: () => state,
    sink: () => options.sink,
    invokeRemediation: async (_functionName, cluster) => {
      const result = await remediate({ cluster });
      options.onRemediation?.(cluster, result);
    },
    logger,
    metrics: silentMetrics,
    now: options.now,
    observe: options.observe,
  });
  return { check, remediate, state };
}

/** Metrics locally: nobody reads CloudWatch's log lines there, so each batch is dropped, not printed. */
class QuietMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }
}
