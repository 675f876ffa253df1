import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../config/function-env';
import type { PlacementSettings } from '../config/placement-settings';
import type { RemediationLock } from '../guard/lock';
import { DEFAULT_BUDGET, type Policy } from '../guard/types';
import { renderRemediation } from '../notify/render';
import type { MessageSink } from '../notify/types';
import { type ActionResult, type FixResult, fixCluster } from '../remediate/fix';
import { forAudit } from '../remediate/result';
import { unexplainedKeyLoss } from '../remediate/verify';
import { DEFAULT_SETTINGS } from '../remedies/types';
import type { StateStore } from '../state/types';
import { formatRanges } from '../topology/slots';
import { startRun } from './cluster-run';
import { parseEvent, remediationEventSchema } from './events';
import { failedAttempts, failedNotices } from './failed-attempts';
import { reportingFailures } from './failure-report';
import type { Credentials, LambdaContext } from './lambda-runtime';

export interface RemediateHandlerDeps {
  env: NodeJS.ProcessEnv;
  /** The placement's settings document, read once per container (what each cluster's run may do). */
  settings: () => PlacementSettings;
  /** The cluster's credentials; `fresh` bypasses any cache (after the cluster refused them). */
  credentials: (secretArn: string, options?: { fresh?: boolean }) => Promise<Credentials>;
  lock: (tableName: string, cluster: string) => RemediationLock;
  sink: (topicArn: string) => MessageSink;
  state: (tableName: string) => StateStore;
  /** Remedy history, kept beside the state. */
  record: (tableName: string, cluster: string, at: string, action: Record<string, unknown>) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

/**
 * Time kept after the run's deadline for what follows an action stopped or failed there: two
 * observations (up to the cluster's timeout each: the fix's after the action, and the one that
 * records the state a failure left, lib/service/failed-attempts.ts), the report, the history, the
 * messages and the lock release.
 */
export const reportMarginMs = (timeoutMs: number) => Math.max(60_000, 2 * timeoutMs + 30_000);

/** A run that could observe no node of its cluster: nothing was planned or done, and it is a failure. */
export class NothingObservedError extends Error {
  override readonly name = 'NothingObservedError';
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
 * itself, plans under the guards with the cluster's mode and allow-list from the deployment's
 * settings and acts only on what the scheduled checks confirmed (stored state, not the caller),
 * applies behind the lock, records each action in the history, and then publishes: every action
 * applied, stopped or failed, and each refusal or escalation once per change of what it says. Past
 * its deadline (the Lambda limit less {@link reportMarginMs}) it starts no action and stops a key
 * move between rounds, so every run ends with its audit messages and its lock released.
 */
export function makeRemediateHandler(deps: RemediateHandlerDeps) {
  const now = deps.now ?? (() => new Date());
  return async (event: unknown, context?: LambdaContext): Promise<FixResult> => {
    const endsAt = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
    const { cluster, settings, placement, resources, state, sink, failure, observeOptions } = startRun(
      deps,
      event,
      'remediation',
      now,
      context,
    );
    const deadlineAt = endsAt === undefined ? undefined : endsAt - reportMarginMs(settings.timeoutMs);
    return reportingFailures(failure, async () => {
      parseEvent(remediationEventSchema, event);
      const { confirmed = {} } = await state.load(cluster);
      const notices = await state.loadNotices(cluster);
      const failed = failedAttempts(notices);
      const policy: Policy = {
        mode: settings.mode,
        allow: settings.allow,
        settleMs: settings.settleMs,
        confirmed,
        failedBefore: failed,
        budget: DEFAULT_BUDGET,
        settings: DEFAULT_SETTINGS,
      };
      const result = await fixCluster(settings.seeds, {
        observe: await observeOptions(),
        refreshCredentials: () => observeOptions(true),
        policy,
        lock: () => deps.lock(resources.tableName, cluster),
        log: (line) => deps.logger.info(line, { cluster }),
        deadlineAt,
      });
      if (result.after.status === 'unknown')
        throw new NothingObservedError(
          `could not observe any node of ${cluster}: ${[...new Set(result.after.nodes.map((n) => n.error ?? 'no answer'))].join('; ')}`,
        );
      const at = now().toISOString();
      const next: Record<string, string> = failedNotices(result, failed);
      for (const action of result.actions) {
        const said = noticeOf(action);
        if (QUIET.has(action.status)) next[action.key] = said;
        if (QUIET.has(action.status) && notices[action.key] === said) continue;
        // "Would apply" in dry-run is the check's plan message, not an audit event.
        if (action.status === 'skipped' && action.guard === 'mode') continue;
        // The history first: a run that dies while publishing still leaves its audit trail.
        await deps.record(resources.tableName, cluster, at, { ...forAudit(action) });
        await sink.publish(renderRemediation(cluster, action, result.after));
      }
      await state.saveNotices(cluster, next);
      emitMetrics(deps.metrics, cluster, result, placement);
      deps.logger.info('remediation done', {
        cluster,
        actions: result.actions.map((a) => `${a.key}:${a.status}`),
        status: result.after.status,
      });
      return result;
    });
  };
}

/**
 * Remediation metrics with the same `{cluster}` dimension as the check's, and `KeysLost` per
 * placement too: its alarm pages (the remediation message names the cluster).
 */
function emitMetrics(metrics: Metrics, cluster: string, result: FixResult, placement: string): void {
  metrics.clearDefaultDimensions();
  metrics.addDimension(METRICS.cluster, cluster);
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
  const lost = result.actions.reduce((n, a) => n + unexplainedKeyLoss(a), 0);
  metrics.addMetric(METRICS.keysLost, MetricUnit.Count, lost);
  metrics.publishStoredMetrics();
  metrics.clearDimensions();
  metrics.addDimension(METRICS.placement, placement);
  metrics.addMetric(METRICS.keysLost, MetricUnit.Count, lost);
  metrics.publishStoredMetrics();
}
