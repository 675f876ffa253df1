import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Report } from '../checks/types';
import { METRICS } from '../config/function-env';
import type { PlacementSettings } from '../config/placement-settings';
import type { MessageSink } from '../notify/types';
import type { StateStore } from '../state/types';
import { startRun } from './cluster-run';
import { checkEventSchema, parseEvent } from './events';
import { reportingFailures } from './failure-report';
import type { Credentials, LambdaContext } from './lambda-runtime';
import { type ScheduledCheckDeps, scheduledCheck } from './scheduled-check';

export interface CheckHandlerDeps {
  env: NodeJS.ProcessEnv;
  /** The placement's settings document, read once per container (what each cluster's run may do). */
  settings: () => PlacementSettings;
  /** The cluster's credentials; `fresh` bypasses any cache (after the cluster refused them). */
  credentials: (secretArn: string, options?: { fresh?: boolean }) => Promise<Credentials>;
  state: (tableName: string) => StateStore;
  sink: (topicArn: string) => MessageSink;
  /** Starts the cluster's remediation run asynchronously: the event names the cluster, nothing else. */
  invokeRemediation: (functionName: string, cluster: string) => Promise<void>;
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
 * The check Lambda's logic: resolve the cluster from the event and the deployment's settings, read
 * the secret, run the scheduled check, emit metrics. A failure is notified once when the checker
 * starts failing and once when it recovers (see {@link reportingFailures}), then rethrown; the
 * secret never appears in logs or messages.
 */
export function makeCheckHandler(deps: CheckHandlerDeps) {
  const now = deps.now ?? (() => new Date());
  return async (event: unknown, context?: LambdaContext): Promise<CheckSummary> => {
    const { cluster, settings, placement, resources, state, sink, failure, observeOptions } = startRun(
      deps,
      event,
      'check',
      now,
      context,
    );
    return reportingFailures(failure, async () => {
      // Before the secret is read: a field the schedule does not send is refused, and reported.
      const { kind } = parseEvent(checkEventSchema, event);
      const result = await scheduledCheck(
        {
          cluster,
          seeds: settings.seeds,
          kind,
          observe: await observeOptions(),
          remediation: settings.mode,
          allow: settings.allow,
        },
        {
          state,
          sink,
          now,
          observe: deps.observe,
          refreshCredentials: () => observeOptions(true),
          startRemediation: resources.remediationFunction
            ? (name) => deps.invokeRemediation(resources.remediationFunction as string, name)
            : undefined,
        },
      );
      emitMetrics(deps.metrics, cluster, result.report, result.credentialsRefreshed, placement);
      deps.logger.info('check done', {
        cluster,
        kind,
        status: result.report.status,
        findings: result.report.findings.map((f) => f.id),
        published: result.messages.map((m) => m.kind),
        credentialsRefreshed: result.credentialsRefreshed,
      });
      return {
        cluster,
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
 * EMF metrics, the `service` default dimension cleared: four per cluster (`CheckRan`, the dead-man
 * switch's heartbeat, for every run that got here, whatever it could observe; `Status`, `Findings`,
 * `CheckDuration`: the dashboard's) and the detail per placement, so that a fleet's custom metrics,
 * billed each, grow by four per cluster, not ten.
 */
function emitMetrics(
  metrics: Metrics,
  cluster: string,
  report: Report,
  refreshed: boolean,
  placement: string,
): void {
  metrics.clearDefaultDimensions();
  metrics.addDimension(METRICS.cluster, cluster);
  const count = (id: string) => report.findings.filter((f) => f.id === id).length;
  metrics.addMetric(METRICS.checkRan, MetricUnit.Count, 1);
  metrics.addMetric('Status', MetricUnit.Count, STATUS_VALUE[report.status]);
  metrics.addMetric('Findings', MetricUnit.Count, report.findings.length);
  metrics.addMetric('CheckDuration', MetricUnit.Milliseconds, report.durationMs);
  metrics.publishStoredMetrics();
  metrics.clearDimensions();
  metrics.addDimension(METRICS.placement, placement);
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
  metrics.publishStoredMetrics();
}
