import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHECK_SUCCEEDED_METRIC } from '../../lib/config/function-env';
import type { ClusterConfig } from '../../lib/config/schema';
import { stalenessOf } from '../../lib/infra/staleness';
import { SnsSink } from '../../lib/notify/sns-sink';
import { type ObserveOptions, observeCluster, type Snapshot } from '../../lib/observe';
import { makeCheckHandler } from '../../lib/service/check-handler';
import { parseSecret } from '../../lib/service/lambda-runtime';
import { DynamoStateStore } from '../../lib/state/dynamo-store';

export const DAY_START = Date.parse('2026-12-01T00:00:00.000Z');
const FIVE_MIN = 5 * 60_000;

/** One schedule tick: the 5-minute rate, plus the nightly run at 03:00 UTC. */
export interface Tick {
  at: number;
  kind: 'frequent' | 'nightly';
}

/** A day of the example's schedules: 288 frequent ticks and one nightly one. */
export function dayOfTicks(): Tick[] {
  const ticks: Tick[] = [];
  for (let i = 0; i < 288; i++) {
    const at = DAY_START + i * FIVE_MIN;
    ticks.push({ at, kind: 'frequent' });
    if (at === DAY_START + 3 * 3_600_000) ticks.push({ at, kind: 'nightly' });
  }
  return ticks;
}

/**
 * Observes the real cluster only when the scenario says it changed (or with other credentials),
 * and hands back the last snapshot otherwise: a day of ticks without a day of observations.
 */
export class ObserveOnChange {
  private last?: { key: string; snapshot: Snapshot };
  private dirty = true;
  observations = 0;

  changed(): void {
    this.dirty = true;
  }

  settled(): void {
    this.dirty = false;
  }

  readonly observe = async (seeds: string[], options: ObserveOptions = {}): Promise<Snapshot> => {
    const key = JSON.stringify([seeds, options.username, options.password]);
    if (!this.dirty && this.last?.key === key) return this.last.snapshot;
    this.observations++;
    const snapshot = await observeCluster(seeds, { ...options, deepKeyScan: false });
    this.last = { key, snapshot };
    return snapshot;
  };
}

/** The environment the stack gives a check function (see lib/config/function-env.ts). */
export function checkEnv(name: string, seeds: string[], mode: string, secretArn: string) {
  return {
    CLUSTER_NAME: name,
    CLUSTER_SEEDS: seeds.join(','),
    CLUSTER_SECRET_ARN: secretArn,
    CLUSTER_TLS: 'off',
    CHECK_TIMEOUT_MS: '5000',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-3:123456789012:cluster-doctor-alerts',
    STATE_TABLE_NAME: 'cluster-doctor-state',
    REMEDIATION_MODE: mode,
    REMEDIATION_ALLOW: 'stabilize-open-slot,assign-uncovered-slots',
    REMEDIATION_SETTLE_MS: '1000',
    REMEDIATION_FUNCTION_NAME: `${name}-remediate`,
  };
}

/**
 * The check function as functions/check.ts wires it (Powertools getSecret with its cache, the SDK
 * clients the mocks intercept), with the scenario's clock and observer.
 */
export function simulatedCheck(env: Record<string, string>, clock: () => number, observer: ObserveOnChange) {
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-3' }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sns = new SNSClient({ region: 'eu-west-3' });
  const lambda = new LambdaClient({ region: 'eu-west-3' });
  return makeCheckHandler({
    env,
    credentials: async (arn, options) =>
      parseSecret(await getSecret<string>(arn, { maxAge: 3600, forceFetch: options?.fresh ?? false })),
    state: (table) => new DynamoStateStore(ddb, table),
    sink: (topic) => new SnsSink(sns, topic),
    invokeRemediation: async (functionName, cluster) => {
      await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: JSON.stringify({ cluster }),
        }),
      );
    },
    logger: new Logger({ serviceName: 'cluster-doctor-check', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: CHECK_SUCCEEDED_METRIC.namespace, serviceName: 'cluster-doctor' }),
    now: () => new Date(clock()),
    observe: observer.observe,
  });
}

/**
 * How many notifications the "checker dead" alarm sends over the day (ALARM and OK each go to the
 * pager): CloudWatch's rule replayed on the ticks that emitted CheckSucceeded. Every period of the
 * window without a success is breaching (missing data is breaching).
 */
export function stalenessTransitions(schedules: ClusterConfig['schedules'], successes: number[]): string[] {
  const { period, periods } = stalenessOf(schedules);
  const periodMs = period.toMilliseconds();
  const buckets = (24 * 3_600_000) / periodMs;
  const hit = new Array<boolean>(buckets).fill(false);
  for (const at of successes) hit[Math.floor((at - DAY_START) / periodMs)] = true;
  let state: 'OK' | 'ALARM' = 'OK';
  const transitions: string[] = [];
  for (let end = periods; end <= buckets; end++) {
    const breaching = hit.slice(end - periods, end).every((h) => !h);
    const next = breaching ? 'ALARM' : 'OK';
    if (next !== state)
      transitions.push(`${next} at ${new Date(DAY_START + end * periodMs).toISOString().slice(11, 16)}`);
    state = next;
  }
  return transitions;
}
