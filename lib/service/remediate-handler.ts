import type { Logger } from '@aws-lambda-powertools/logger';
import { readFunctionEnv } from '../config/function-env';
import type { RemediationLock } from '../guard/lock';
import { DEFAULT_BUDGET } from '../guard/types';
import { renderCheckerFailure, renderRemediation } from '../notify/render';
import type { MessageSink } from '../notify/types';
import { type FixResult, fixCluster } from '../remediate/fix';
import { DEFAULT_SETTINGS } from '../remedies/types';
import { type Credentials, observeOptionsFrom } from './lambda-runtime';

export interface RemediateHandlerDeps {
  env: NodeJS.ProcessEnv;
  credentials: (secretArn: string) => Promise<Credentials>;
  lock: (tableName: string, cluster: string) => RemediationLock;
  sink: (topicArn: string) => MessageSink;
  /** Remedy history, kept beside the state. */
  record: (tableName: string, cluster: string, at: string, action: Record<string, unknown>) => Promise<void>;
  logger: Logger;
}

export interface RemediationEvent {
  cluster: string;
}

/**
 * The remediation Lambda's logic: it trusts no snapshot it is handed and re-observes the cluster
 * itself, plans under the guards with the cluster's mode and allow-list, applies behind the lock,
 * and publishes one audit message per action that was applied, failed, refused or unavailable.
 */
export function makeRemediateHandler(deps: RemediateHandlerDeps) {
  return async (event: RemediationEvent): Promise<FixResult> => {
    const env = readFunctionEnv(deps.env);
    const sink = deps.sink(env.topicArn);
    try {
      if (event?.cluster !== env.cluster)
        throw new Error(`event for ${String(event?.cluster)} reached the function of ${env.cluster}`);
      const credentials = await deps.credentials(env.secretArn);
      const result = await fixCluster(env.seeds, {
        observe: observeOptionsFrom(env, credentials),
        policy: {
          mode: env.mode,
          allow: env.allow,
          settleMs: env.settleMs,
          budget: DEFAULT_BUDGET,
          settings: DEFAULT_SETTINGS,
        },
        lock: () => deps.lock(env.tableName, env.cluster),
        log: (line) => deps.logger.info(line, { cluster: env.cluster }),
      });
      const at = new Date().toISOString();
      for (const action of result.actions) {
        // "would apply" in dry-run is the plan, not an event worth a message per action.
        if (action.status === 'skipped') continue;
        await sink.publish(renderRemediation(env.cluster, action, result.after));
        await deps.record(env.tableName, env.cluster, at, { ...action });
      }
      deps.logger.info('remediation done', {
        cluster: env.cluster,
        actions: result.actions.map((a) => `${a.key}:${a.status}`),
        status: result.after.status,
      });
      return result;
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.logger.error('remediation failed', { cluster: env.cluster, error: text });
      await sink.publish(renderCheckerFailure(env.cluster, 'remediation run', text));
      throw error;
    }
  };
}
