import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Report } from '../checks/types';
import {
  CHECK_KINDS,
  CHECK_SUCCEEDED_METRIC,
  type CheckEvent,
  readFunctionEnv,
} from '../config/function-env';
import { renderCheckerFailure } from '../notify/render';
import type { MessageSink } from '../notify/types';
import type { StateStore } from '../state/types';
import { type Credentials, observeOptionsFrom } from './lambda-runtime';
import { scheduledCheck } from './scheduled-check';

export interface CheckHandlerDeps {
  env: NodeJS.ProcessEnv;
  credentials: (secretArn: string) => Promise<Credentials>;
  state: (tableName: string) => StateStore;
  sink: (topicArn: string) => MessageSink;
  invokeRemediation: (functionName: string, cluster: string) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
}

export interface CheckSummary {
  cluster: string;
  status: Report['status'];
  findings: number;
  published: string[];
  remediationStarted: boolean;
}

/** A configuration or runtime failure of the checker itself, reported to the topic as `checker-error`. */
export class CheckerError extends Error {
  override name = 'CheckerError';
}

/**
 * The check Lambda's logic: read config and secret, run the scheduled check, emit metrics. Any
 * exception is published as a `checker-error` message before it is rethrown (so the Lambda errors
 * alarm fires too); the secret never appears in logs or messages.
 */
export function makeCheckHandler(deps: CheckHandlerDeps) {
  return async (event: CheckEvent): Promise<CheckSummary> => {
    const env = readFunctionEnv(deps.env);
    const sink = deps.sink(env.topicArn);
    try {
      if (event?.cluster !== env.cluster) {
        throw new CheckerError(
          `event for cluster ${String(event?.cluster)} reached the function of ${env.cluster}`,
        );
      }
      const kind = CHECK_KINDS.includes(event.kind) ? event.kind : 'frequent';
      const credentials = await deps.credentials(env.secretArn);
      const result = await scheduledCheck(
        {
          cluster: env.cluster,
          seeds: env.seeds,
          kind,
          observe: observeOptionsFrom(env, credentials),
          remediation: env.mode,
        },
        {
          state: deps.state(env.tableName),
          sink,
          startRemediation: env.remediationFunction
            ? (cluster) => deps.invokeRemediation(env.remediationFunction as string, cluster)
            : undefined,
        },
      );
      emitMetrics(deps.metrics, env.cluster, result.report);
      deps.logger.info('check done', {
        cluster: env.cluster,
        kind,
        status: result.report.status,
        findings: result.report.findings.map((f) => f.id),
        published: result.messages.map((m) => m.kind),
      });
      return {
        cluster: env.cluster,
        status: result.report.status,
        findings: result.report.findings.length,
        published: result.messages.map((m) => m.kind),
        remediationStarted: result.remediationStarted,
      };
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.logger.error('check failed', { cluster: env.cluster, error: text });
      await sink.publish(renderCheckerFailure(env.cluster, 'scheduled check', text));
      throw error;
    }
  };
}

/**
 * EMF metrics. Dimensions are exactly `{cluster}`: the staleness alarm watches `CheckSucceeded` with
 * that one dimension, so the `service` default dimension is cleared.
 */
function emitMetrics(metrics: Metrics, cluster: string, report: Report): void {
  metrics.clearDefaultDimensions();
  metrics.addDimension(CHECK_SUCCEEDED_METRIC.dimension, cluster);
  const count = (id: string) => report.findings.filter((f) => f.id === id).length;
  if (report.status !== 'unknown') metrics.addMetric(CHECK_SUCCEEDED_METRIC.name, MetricUnit.Count, 1);
  metrics.addMetric('OpenSlots', MetricUnit.Count, count('slot-open'));
  metrics.addMetric('FailedNodes', MetricUnit.Count, count('node-failed'));
  metrics.addMetric('UnreachableNodes', MetricUnit.Count, count('node-unreachable'));
  for (const severity of ['critical', 'warning', 'info'] as const) {
    metrics.addMetric(
      `Findings_${severity}`,
      MetricUnit.Count,
      report.findings.filter((f) => f.severity === severity).length,
    );
  }
  const uncovered = report.findings.find((f) => f.id === 'slots-uncovered');
  const slotsNotOk = uncovered?.slots?.reduce((n, [a, b]) => n + b - a + 1, 0) ?? 0;
  metrics.addMetric('SlotsOk', MetricUnit.Count, 16384 - slotsNotOk);
  metrics.addMetric('CheckDuration', MetricUnit.Milliseconds, report.durationMs);
  metrics.publishStoredMetrics();
}
