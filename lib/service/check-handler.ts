import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Report } from '../checks/types';
import { CHECK_SUCCEEDED_METRIC, type ClusterSettings } from '../config/function-env';
import type { MessageSink } from '../notify/types';
import type { FailureRecord, StateStore } from '../state/types';
import { resolveRun } from './cluster-run';
import { checkEventSchema, parseEvent } from './events';
import { reportingFailures } from './failure-report';
import { type Credentials, observeOptionsFrom } from './lambda-runtime';
import { type ScheduledCheckDeps, scheduledCheck } from './scheduled-check';

export interface CheckHandlerDeps {
  env: NodeJS.ProcessEnv;
  /** The cluster's credentials; `fresh` bypasses any cache (after the cluster refused them). */
  credentials: (secretArn: string, options?: { fresh?: boolean }) => Promise<Credentials>;
  state: (tableName: string) => StateStore;
  sink: (topicArn: string) => MessageSink;
  /** Starts the cluster's remediation run asynchronously; a placement's function passes the cluster's settings on. */
  invokeRemediation: (functionName: string, cluster: string, settings?: ClusterSettings) => Promise<void>;
  /** Records the cluster's last successful check, which the watchdog reads (absent locally). */
  heartbeat?: (tableName: string, cluster: string, at: string) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  /** The clock (a parameter so a test can play a day of schedule ticks). */
  now?: () => Date;
  /** How the cluster is observed (default: observeCluster). */
  observe?: ScheduledCheckDeps['observe'];
}

export interface CheckSummary {
  cluster: string;
  status: Report['status'];
  findings: number;
  published: string[];
  remediationStarted: boolean;
  credentialsRefreshed: boolean;
}

/**
 * The check Lambda's logic: parse the event, read config and secret, run the scheduled check, emit
 * metrics. A failure is notified once when the checker starts failing and once when it recovers
 * (see {@link reportingFailures}), then rethrown; the secret never appears in logs or messages.
 */
export function makeCheckHandler(deps: CheckHandlerDeps) {
  const memory = new Map<string, FailureRecord>();
  const now = deps.now ?? (() => new Date());
  return async (event: unknown): Promise<CheckSummary> => {
    const run = resolveRun(deps.env, event);
    const { env } = run;
    const state = deps.state(env.tableName);
    const sink = deps.sink(env.topicArn);
    const nightly = (event as { kind?: unknown } | null)?.kind === 'nightly';
    const context = {
      cluster: env.cluster,
      role: 'check' as const,
      state,
      sink,
      logger: deps.logger,
      now,
      nightly,
      memory,
    };
    return reportingFailures(context, async () => {
      const { kind } = parseEvent(checkEventSchema, event, env.cluster);
      const credentials = await deps.credentials(env.secretArn);
      const result = await scheduledCheck(
        {
          cluster: env.cluster,
          seeds: env.seeds,
          kind,
          observe: observeOptionsFrom(env, credentials),
          remediation: env.mode,
          allow: env.allow,
        },
        {
          state,
          sink,
          now,
          observe: deps.observe,
          refreshCredentials: async () =>
            observeOptionsFrom(env, await deps.credentials(env.secretArn, { fresh: true })),
          startRemediation: env.remediationFunction
            ? (cluster) => deps.invokeRemediation(env.remediationFunction as string, cluster, run.settings)
            : undefined,
        },
      );
      if (result.report.status !== 'unknown')
        await deps.heartbeat?.(env.tableName, env.cluster, now().toISOString());
      emitMetrics(deps.metrics, env.cluster, result.report, result.credentialsRefreshed, run.placement);
      deps.logger.info('check done', {
        cluster: env.cluster,
        kind,
        status: result.report.status,
        findings: result.report.findings.map((f) => f.id),
        published: result.messages.map((m) => m.kind),
        credentialsRefreshed: result.credentialsRefreshed,
      });
      return {
        cluster: env.cluster,
        status: result.report.status,
        findings: result.report.findings.length,
        published: result.messages.map((m) => m.kind),
        remediationStarted: result.remediationStarted,
        credentialsRefreshed: result.credentialsRefreshed,
      };
    });
  };
}

/** A report's status as a number a graph can show: the CLI's exit codes. */
export const STATUS_VALUE: Record<Report['status'], number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/**
 * EMF metrics. A one-cluster function: every metric with exactly the dimension `{cluster}` (the
 * `service` default dimension is cleared). A placement's function: four per cluster (`CheckSucceeded`,
 * `Status`, `Findings`, `CheckDuration`: the dashboard's) and the detail per placement, so that a
 * fleet's custom metrics, billed each, grow by four per cluster, not ten.
 */
function emitMetrics(
  metrics: Metrics,
  cluster: string,
  report: Report,
  refreshed: boolean,
  placement?: string,
): void {
  metrics.clearDefaultDimensions();
  metrics.addDimension(CHECK_SUCCEEDED_METRIC.dimension, cluster);
  const count = (id: string) => report.findings.filter((f) => f.id === id).length;
  if (report.status !== 'unknown') metrics.addMetric(CHECK_SUCCEEDED_METRIC.name, MetricUnit.Count, 1);
  if (placement) {
    metrics.addMetric('Status', MetricUnit.Count, STATUS_VALUE[report.status]);
    metrics.addMetric('Findings', MetricUnit.Count, report.findings.length);
    metrics.addMetric('CheckDuration', MetricUnit.Milliseconds, report.durationMs);
    metrics.publishStoredMetrics();
    metrics.clearDimensions();
    metrics.addDimension('placement', placement);
  }
  metrics.addMetric('OpenSlots', MetricUnit.Count, count('slot-open'));
  metrics.addMetric('FailedNodes', MetricUnit.Count, count('node-failed'));
  metrics.addMetric('UnreachableNodes', MetricUnit.Count, count('node-unreachable'));
  metrics.addMetric('CredentialsRefreshed', MetricUnit.Count, refreshed ? 1 : 0);
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
  if (!placement) metrics.addMetric('CheckDuration', MetricUnit.Milliseconds, report.durationMs);
  metrics.publishStoredMetrics();
}
