import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CHECK_SUCCEEDED_METRIC, KEYS_LOST_METRIC } from '../config/function-env';
import type { RemediationLock } from '../guard/lock';
import { DEFAULT_BUDGET } from '../guard/types';
import { renderRemediation } from '../notify/render';
import type { MessageSink } from '../notify/types';
import { type ActionResult, type FixResult, fixCluster } from '../remediate/fix';
import { DEFAULT_SETTINGS } from '../remedies/types';
import type { FailureRecord, StateStore } from '../state/types';
import { formatRanges } from '../topology/slots';
import { resolveRun } from './cluster-run';
import { parseEvent, remediationEventSchema } from './events';
import { reportingFailures } from './failure-report';
import { type Credentials, observeOptionsFrom } from './lambda-runtime';

export interface RemediateHandlerDeps {
  env: NodeJS.ProcessEnv;
  credentials: (secretArn: string, options?: { fresh?: boolean }) => Promise<Credentials>;
  lock: (tableName: string, cluster: string) => RemediationLock;
  sink: (topicArn: string) => MessageSink;
  state: (tableName: string) => StateStore;
  /** Remedy history, kept beside the state. */
  record: (tableName: string, cluster: string, at: string, action: Record<string, unknown>) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  /** Epoch ms by which the run must have stopped (the Lambda's time left, less a margin for the report). */
  deadlineAt?: () => number | undefined;
  now?: () => Date;
}

/** Actions that change nothing and say the same thing run after run: notified once per change. */
const QUIET: ReadonlySet<ActionResult['status']> = new Set([
  'refused',
  'escalated',
  'unavailable',
  'skipped',
]);

/** What a refusal or escalation said, so the same verdict is not mailed again. */
const noticeOf = (a: ActionResult) =>
  [a.status, a.guard ?? '-', a.subCase, formatRanges(a.slots), a.nodes.join(',')].join('|');

/**
 * The remediation Lambda's logic: it trusts no snapshot it is handed and re-observes the cluster
 * itself, plans under the guards with the cluster's mode and allow-list, applies behind the lock,
 * records each action in the history, and then publishes: every action applied or failed, and each
 * refusal or escalation once per change of what it says.
 */
export function makeRemediateHandler(deps: RemediateHandlerDeps) {
  const memory = new Map<string, FailureRecord>();
  const now = deps.now ?? (() => new Date());
  return async (event: unknown): Promise<FixResult> => {
    const run = resolveRun(deps.env, event);
    const { env } = run;
    const state = deps.state(env.tableName);
    const sink = deps.sink(env.topicArn);
    const context = {
      cluster: env.cluster,
      role: 'remediation' as const,
      state,
      sink,
      logger: deps.logger,
      now,
      nightly: false,
      memory,
    };
    return reportingFailures(context, async () => {
      parseEvent(remediationEventSchema, event, env.cluster);
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
        deadlineAt: deps.deadlineAt?.(),
      });
      const at = now().toISOString();
      const notices = await state.loadNotices(env.cluster);
      const next: Record<string, string> = {};
      for (const action of result.actions) {
        const said = noticeOf(action);
        if (QUIET.has(action.status)) next[action.key] = said;
        if (QUIET.has(action.status) && notices[action.key] === said) continue;
        // "Would apply" in dry-run is the check's plan message, not an audit event.
        if (action.status === 'skipped' && action.guard === 'mode') continue;
        // The history first: a run that dies while publishing still leaves its audit trail.
        await deps.record(env.tableName, env.cluster, at, { ...action });
        await sink.publish(renderRemediation(env.cluster, action, result.after));
      }
      await state.saveNotices(env.cluster, next);
      emitMetrics(deps.metrics, env.cluster, result, run.placement);
      deps.logger.info('remediation done', {
        cluster: env.cluster,
        actions: result.actions.map((a) => `${a.key}:${a.status}`),
        status: result.after.status,
      });
      return result;
    });
  };
}

const sum = (counts: Record<string, number> | undefined) =>
  Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

/** Keys the touched slots lost during an action (before minus after, never negative). */
export function keysLost(action: ActionResult): number {
  if (!action.keysBefore || !action.keysAfter) return 0;
  return Math.max(0, sum(action.keysBefore) - sum(action.keysAfter));
}

/**
 * Remediation metrics with the same `{cluster}` dimension as the check's. A placement's function also
 * emits `KeysLost` per placement: its alarm pages (the remediation message names the cluster).
 */
function emitMetrics(metrics: Metrics, cluster: string, result: FixResult, placement?: string): void {
  metrics.clearDefaultDimensions();
  metrics.addDimension(CHECK_SUCCEEDED_METRIC.dimension, cluster);
  const count = (status: ActionResult['status']) => result.actions.filter((a) => a.status === status).length;
  metrics.addMetric('ActionsApplied', MetricUnit.Count, count('applied'));
  metrics.addMetric(
    'ActionsRefused',
    MetricUnit.Count,
    count('refused') + count('escalated') + count('unavailable'),
  );
  metrics.addMetric('ActionsFailed', MetricUnit.Count, count('failed'));
  metrics.addMetric(
    'KeysMoved',
    MetricUnit.Count,
    result.actions.reduce((n, a) => n + (a.keysMoved ?? 0), 0),
  );
  const lost = result.actions.reduce((n, a) => n + keysLost(a), 0);
  metrics.addMetric(KEYS_LOST_METRIC, MetricUnit.Count, lost);
  metrics.publishStoredMetrics();
  if (!placement) return;
  metrics.clearDimensions();
  metrics.addDimension('placement', placement);
  metrics.addMetric(KEYS_LOST_METRIC, MetricUnit.Count, lost);
  metrics.publishStoredMetrics();
}
