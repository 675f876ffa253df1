import { PublishCommand } from '@aws-sdk/client-sns';
import { ACCOUNT, type MotoStack } from './moto-stack';

/** One datapoint as CloudWatch stores it: a metric (namespace, name, dimensions) at a time. */
export interface Datapoint {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
  at: number;
}

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface MetricStat {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  stat: string;
  period: number;
}

/** An alarm of the template, resolved: what it watches, how it judges, whom it tells. */
interface AlarmDefinition {
  logicalId: string;
  name: string;
  description: string;
  /** Each metric of the alarm by id, and the expression over them (one metric: its own id). */
  metrics: Record<string, MetricStat>;
  expression: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: string;
  treatMissingData: string;
  actions: Record<State, string[]>;
}

/** A state change of an alarm and the notification CloudWatch published for it. */
export interface AlarmTransition {
  alarm: string;
  from: State;
  to: State;
  at: number;
  topics: string[];
}

/**
 * CloudWatch as the simulation needs it: the datapoints the functions emitted (EMF lines in their
 * logs) and the ones AWS services emit for them (Lambda errors, SQS sends), and every alarm of the
 * synthesized template evaluated from its own properties (metrics, statistic, period, evaluation
 * periods, datapoints to alarm, threshold, comparison, missing-data treatment) at each minute of
 * the simulated clock. A state change publishes CloudWatch's notification to the alarm's action
 * topics, as CloudWatch does, so the stand-in queues' filter policies decide who receives it.
 * An alarm created later (a cluster deployed mid-day) starts in INSUFFICIENT_DATA then, without
 * notifying. Alarm forms the stack does not use are refused, so a template change cannot be
 * evaluated silently wrong.
 */
export class CloudWatchSimulation {
  /** Datapoints by metric (namespace, name, dimensions), in the order they came. */
  private readonly series = new Map<string, Datapoint[]>();
  readonly transitions: AlarmTransition[] = [];
  /** When (simulated) each notification was published, by its SNS message id. */
  readonly notifiedAt = new Map<string, number>();
  private readonly alarms: AlarmDefinition[];
  private readonly states = new Map<string, State>();
  private readonly createdAt = new Map<string, number>();

  constructor(private readonly stack: MotoStack) {
    this.alarms = stack.stack
      .ofType('AWS::CloudWatch::Alarm')
      .map(([id, r]) => this.define(id, r.Properties));
  }

  /** Names of the template's alarms. */
  get alarmNames(): string[] {
    return this.alarms.map((a) => a.name);
  }

  /** Creates the alarms (all of them, or those `which` selects) at `at`: INSUFFICIENT_DATA, no notification. */
  create(at: number, which: (name: string) => boolean = () => true): void {
    for (const alarm of this.alarms)
      if (which(alarm.name) && !this.createdAt.has(alarm.name)) {
        this.createdAt.set(alarm.name, at);
        this.states.set(alarm.name, 'INSUFFICIENT_DATA');
      }
  }

  state(name: string): State | undefined {
    return this.states.get(name);
  }

  /** The EMF metrics of one invocation's log lines. */
  recordLogs(lines: string[]): void {
    for (const line of lines) {
      if (!line.startsWith('{') || !line.includes('"_aws"')) continue;
      const emf = JSON.parse(line) as {
        _aws: {
          Timestamp: number;
          CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
        };
        [key: string]: unknown;
      };
      for (const directive of emf._aws.CloudWatchMetrics)
        for (const dimensionSet of directive.Dimensions)
          for (const metric of directive.Metrics) {
            const value = emf[metric.Name];
            for (const v of Array.isArray(value) ? value : [value])
              this.record({
                namespace: directive.Namespace,
                name: metric.Name,
                dimensions: Object.fromEntries(dimensionSet.map((d) => [d, String(emf[d])])),
                value: Number(v),
                at: emf._aws.Timestamp,
              });
          }
    }
  }

  record(point: Datapoint): void {
    const key = seriesKey(point.namespace, point.name, point.dimensions);
    const list = this.series.get(key) ?? [];
    list.push(point);
    this.series.set(key, list);
  }

  /** Every datapoint of one metric. */
  datapoints(namespace: string, name: string, dimensions: Record<string, string>): Datapoint[] {
    return this.series.get(seriesKey(namespace, name, dimensions)) ?? [];
  }

  /** Evaluates every created alarm at `at` (CloudWatch does so each minute) and publishes state changes. */
  async evaluate(at: number): Promise<void> {
    for (const alarm of this.alarms) {
      const created = this.createdAt.get(alarm.name);
      if (created === undefined || created > at) continue;
      const next = this.judge(alarm, at);
      const previous = this.states.get(alarm.name) as State;
      if (next === previous) continue;
      this.states.set(alarm.name, next);
      const topics = alarm.actions[next];
      this.transitions.push({ alarm: alarm.name, from: previous, to: next, at, topics });
      for (const topic of topics) await this.notify(alarm, previous, next, at, topic);
    }
  }

  /** The state the alarm's last `evaluationPeriods` complete periods before `at` call for. */
  private judge(alarm: AlarmDefinition, at: number): State {
    const periodMs = alarm.period * 1000;
    const end = Math.floor(at / periodMs) * periodMs;
    const values: (number | undefined)[] = [];
    for (let i = alarm.evaluationPeriods; i >= 1; i--)
      values.push(this.value(alarm, end - i * periodMs, periodMs));
    const breaching = (v: number) => compare(v, alarm.threshold, alarm.comparison);
    const present = values.filter((v): v is number => v !== undefined);
    switch (alarm.treatMissingData) {
      case 'breaching':
        return values.filter((v) => v === undefined || breaching(v)).length >= alarm.datapointsToAlarm
          ? 'ALARM'
          : 'OK';
      case 'notBreaching':
        return present.filter(breaching).length >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
      case 'ignore':
        if (present.length === 0) return this.states.get(alarm.name) as State;
        return present.filter(breaching).length >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
      default:
        // `missing`: with nothing in the whole range, INSUFFICIENT_DATA; else the data present decides.
        if (present.length === 0) return 'INSUFFICIENT_DATA';
        return present.filter(breaching).length >= Math.min(alarm.datapointsToAlarm, present.length)
          ? 'ALARM'
          : 'OK';
    }
  }

  /** The alarm's value over one period, or undefined when a metric of it has no datapoint there. */
  private value(alarm: AlarmDefinition, from: number, periodMs: number): number | undefined {
    const values: Record<string, number | undefined> = {};
    for (const [id, stat] of Object.entries(alarm.metrics)) {
      const points = this.datapoints(stat.namespace, stat.name, stat.dimensions)
        .filter((p) => p.at >= from && p.at < from + periodMs)
        .map((p) => p.value);
      values[id] = points.length === 0 ? undefined : statistic(stat.stat, points);
    }
    return evaluateExpression(alarm.expression, values);
  }

  private async notify(
    alarm: AlarmDefinition,
    from: State,
    to: State,
    at: number,
    topic: string,
  ): Promise<void> {
    const time = new Date(at).toISOString();
    const message = {
      AlarmName: alarm.name,
      AlarmDescription: alarm.description,
      AWSAccountId: ACCOUNT,
      AlarmConfigurationUpdatedTimestamp: time,
      NewStateValue: to,
      NewStateReason: `simulated evaluation at ${time}`,
      StateChangeTime: time,
      Region: this.stack.region,
      AlarmArn: `arn:aws:cloudwatch:${this.stack.region}:${ACCOUNT}:alarm:${alarm.name}`,
      OldStateValue: from,
      Trigger: {
        Period: alarm.period,
        EvaluationPeriods: alarm.evaluationPeriods,
        Threshold: alarm.threshold,
      },
    };
    const { MessageId } = await this.stack.clients.sns.send(
      new PublishCommand({
        TopicArn: topic,
        Subject: `${to}: "${alarm.name}" in ${this.stack.region}`.slice(0, 100),
        Message: JSON.stringify(message),
      }),
    );
    if (MessageId) this.notifiedAt.set(MessageId, at);
  }

  private define(logicalId: string, p: Record<string, unknown>): AlarmDefinition {
    const r = (v: unknown) => this.stack.resolve(v);
    const dimensions = (list: unknown) =>
      Object.fromEntries(
        ((r(list) as { Name: string; Value: string }[] | undefined) ?? []).map((d) => [d.Name, d.Value]),
      );
    const metrics: Record<string, MetricStat> = {};
    let expression = 'm';
    let period = Number(p.Period ?? 0);
    if (p.Metrics) {
      const returned = (p.Metrics as { ReturnData?: boolean }[]).filter((m) => m.ReturnData !== false);
      if (returned.length !== 1) throw new Error(`${logicalId}: one returned metric or expression expected`);
      for (const m of p.Metrics as { Id: string; MetricStat?: unknown }[]) {
        const stat = m.MetricStat as
          | { Metric: Record<string, unknown>; Period: number; Stat: string }
          | undefined;
        if (stat) {
          metrics[m.Id] = {
            namespace: String(stat.Metric.Namespace),
            name: String(stat.Metric.MetricName),
            dimensions: dimensions(stat.Metric.Dimensions),
            stat: stat.Stat,
            period: stat.Period,
          };
          period = stat.Period;
        }
      }
      const result = returned[0] as Record<string, unknown>;
      expression = result.Expression ? String(result.Expression) : String(result.Id);
      if (result.Period) period = Number(result.Period);
    } else {
      metrics.m = {
        namespace: String(p.Namespace),
        name: String(p.MetricName),
        dimensions: dimensions(p.Dimensions),
        stat: String(p.Statistic ?? p.ExtendedStatistic),
        period,
      };
    }
    const topics = (list: unknown) => ((r(list) as string[] | undefined) ?? []).map(String);
    return {
      logicalId,
      name: String(p.AlarmName),
      description: String(p.AlarmDescription ?? ''),
      metrics,
      expression,
      period,
      evaluationPeriods: Number(p.EvaluationPeriods),
      datapointsToAlarm: Number(p.DatapointsToAlarm ?? p.EvaluationPeriods),
      threshold: Number(p.Threshold),
      comparison: String(p.ComparisonOperator),
      treatMissingData: String(p.TreatMissingData ?? 'missing'),
      actions: {
        ALARM: topics(p.AlarmActions),
        OK: topics(p.OKActions),
        INSUFFICIENT_DATA: topics(p.InsufficientDataActions),
      },
    };
  }
}

const seriesKey = (namespace: string, name: string, dimensions: Record<string, string>) =>
  JSON.stringify([namespace, name, Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : 1))]);

function statistic(stat: string, values: number[]): number {
  switch (stat) {
    case 'Sum':
      return values.reduce((x, y) => x + y, 0);
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Average':
      return values.reduce((x, y) => x + y, 0) / values.length;
    case 'SampleCount':
      return values.length;
    default:
      throw new Error(`statistic ${stat} is not simulated`);
  }
}

/**
 * The metric math the stack's alarms use: sums of metric ids, each bare (`a + b`: a period where one
 * has no datapoint has no value, as CloudWatch aligns series by timestamp) or filled (`FILL(a, 0)`:
 * no datapoint counts 0, so the sum always has a value).
 */
function evaluateExpression(
  expression: string,
  values: Record<string, number | undefined>,
): number | undefined {
  let total = 0;
  for (const term of expression.split('+').map((part) => part.trim())) {
    const filled = /^FILL\(([a-z][a-zA-Z0-9_]*),\s*(\d+)\)$/.exec(term);
    const id = filled ? (filled[1] as string) : term;
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id) || !(id in values))
      throw new Error(`metric math "${expression}" is not simulated (only sums of ids and FILL(id, n))`);
    const value = values[id] ?? (filled ? Number(filled[2]) : undefined);
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

function compare(value: number, threshold: number, operator: string): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new Error(`comparison ${operator} is not simulated`);
  }
}
