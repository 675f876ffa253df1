import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { FUNCTION_ENV, readWatchdogClusters, WATCHDOG_METRICS } from '../config/function-env';
import type { MessageSink, OutboundMessage } from '../notify/types';

/** What the watchdog reads and remembers (the state table in AWS). */
export interface HeartbeatStore {
  lastSuccesses(clusters: string[]): Promise<Map<string, string>>;
  loadStale(): Promise<Record<string, string>>;
  saveStale(stale: Record<string, string>): Promise<void>;
}

export interface WatchdogDeps {
  env: NodeJS.ProcessEnv;
  heartbeats: (tableName: string) => HeartbeatStore;
  sink: (topicArn: string) => MessageSink;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export interface StaleCluster {
  cluster: string;
  windowMinutes: number;
  /** Absent: never checked successfully (or not since its heartbeat expired). */
  lastSuccess?: string;
}

export interface WatchdogResult {
  stale: StaleCluster[];
  newlyStale: string[];
  recovered: string[];
}

/**
 * The one watchdog of a deployment (instead of a staleness alarm per cluster): reads each cluster's
 * last successful check, and calls a cluster stale when none is within its window (from its own
 * schedule, lib/infra/staleness.ts). It says so once per cluster when it goes stale (critical, with the
 * `cluster` attribute, so the cluster's SMS subscriptions get it) and once when it recovers, and emits
 * `StaleClusters` for the alarm that pages.
 */
export function makeWatchdogHandler(deps: WatchdogDeps) {
  const now = deps.now ?? (() => new Date());
  return async (): Promise<WatchdogResult> => {
    const clusters = readWatchdogClusters(deps.env[FUNCTION_ENV.watchdogClusters]);
    const table = deps.env[FUNCTION_ENV.tableName];
    const topic = deps.env[FUNCTION_ENV.topicArn];
    const deployment = deps.env[FUNCTION_ENV.deployment];
    if (!table || !topic || !deployment)
      throw new Error(
        `missing environment: ${FUNCTION_ENV.tableName}, ${FUNCTION_ENV.topicArn} and ${FUNCTION_ENV.deployment} are required`,
      );
    const store = deps.heartbeats(table);
    const sink = deps.sink(topic);
    const at = now();
    const last = await store.lastSuccesses(clusters.map((c) => c.name));
    const stale: StaleCluster[] = clusters
      .filter(({ name, windowMinutes }) => {
        const success = last.get(name);
        return success === undefined || at.getTime() - Date.parse(success) > windowMinutes * 60_000;
      })
      .map(({ name, windowMinutes }) => ({
        cluster: name,
        windowMinutes,
        ...(last.has(name) ? { lastSuccess: last.get(name) } : {}),
      }));
    const previous = await store.loadStale();
    const newlyStale = stale.filter((s) => previous[s.cluster] === undefined);
    const recovered = Object.keys(previous).filter((name) => !stale.some((s) => s.cluster === name));
    for (const s of newlyStale) await sink.publish(renderStale(s, at.toISOString()));
    for (const name of recovered)
      await sink.publish(renderFresh(name, previous[name] as string, last.get(name), at.toISOString()));
    // Remembered after every publish went through: a failed publish is retried by the next run.
    await store.saveStale(
      Object.fromEntries(stale.map((s) => [s.cluster, previous[s.cluster] ?? at.toISOString()])),
    );
    deps.metrics.clearDefaultDimensions();
    deps.metrics.addDimension(WATCHDOG_METRICS.dimension, deployment);
    deps.metrics.addMetric(WATCHDOG_METRICS.stale, MetricUnit.Count, stale.length);
    deps.metrics.addMetric(WATCHDOG_METRICS.ran, MetricUnit.Count, 1);
    deps.metrics.publishStoredMetrics();
    if (stale.length > 0)
      deps.logger.warn('stale clusters', { stale: stale.map((s) => s.cluster), deployment });
    return { stale, newlyStale: newlyStale.map((s) => s.cluster), recovered };
  };
}

const since = (lastSuccess: string | undefined) =>
  lastSuccess ? `last successful check ${lastSuccess}` : 'no successful check on record';

function renderStale(s: StaleCluster, at: string): OutboundMessage {
  const line = `checker dead: no successful check of ${s.cluster} in ${s.windowMinutes} min (${since(s.lastSuccess)})`;
  return {
    kind: 'checker-error',
    cluster: s.cluster,
    severity: 'critical',
    subject: `cluster-doctor CRIT ${s.cluster}: no successful check in ${s.windowMinutes} min`.slice(0, 100),
    email: [
      `${line}, seen by the watchdog at ${at}.`,
      '',
      "The cluster's check is not running, or fails before it can observe the cluster: see its placement's",
      'check function logs and errors alarm. After a first deploy, `npm run smoke` checks every cluster once.',
    ].join('\n'),
    sms: `CRIT ${s.cluster}: no successful check in ${s.windowMinutes} min. See email.`.slice(0, 140),
    json: JSON.stringify({ watchdog: 'stale', ...s, at }),
  };
}

function renderFresh(
  cluster: string,
  staleSince: string,
  lastSuccess: string | undefined,
  at: string,
): OutboundMessage {
  return {
    kind: 'resolved',
    cluster,
    severity: 'info',
    subject: `cluster-doctor OK ${cluster}: checked again`.slice(0, 100),
    email: `${cluster} is checked again (${since(lastSuccess)}); the watchdog had called it stale since ${staleSince}.`,
    sms: `OK ${cluster}: checked again.`,
    json: JSON.stringify({ watchdog: 'fresh', cluster, staleSince, lastSuccess, at }),
  };
}
