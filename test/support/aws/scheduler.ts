import type { MotoStack } from './moto-stack';

/** One schedule of the template: when it fires, what it invokes with what input, in which group. */
export interface ScheduleDefinition {
  logicalId: string;
  group: string;
  expression: string;
  timeZone: string;
  /** The target function's name. */
  target: string;
  input: unknown;
}

/**
 * EventBridge Scheduler as the template declares it: each schedule's expression (`rate(N minutes)`,
 * or a daily `cron(M H * * ? *)` in its time zone), its group, its target and its input. A deleted
 * group fires nothing. Expressions the stack does not use are refused.
 */
export class SchedulerSimulation {
  readonly schedules: ScheduleDefinition[];
  private readonly deletedGroups = new Set<string>();
  /** Schedules not yet created (a cluster deployed later): logical id -> from when. */
  private readonly createdFrom = new Map<string, number>();

  constructor(stack: MotoStack) {
    const functionName = (arn: unknown) => {
      const logical = (arn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
      return String(logical ? stack.stack.resources[logical]?.Properties.FunctionName : arn);
    };
    this.schedules = stack.stack.ofType('AWS::Scheduler::Schedule').map(([id, r]) => {
      const p = r.Properties as Record<string, unknown>;
      const target = p.Target as { Arn: unknown; Input?: string };
      return {
        logicalId: id,
        group: String((p.GroupName as { Ref?: string } | undefined)?.Ref ?? p.GroupName ?? 'default'),
        expression: String(p.ScheduleExpression),
        timeZone: String(p.ScheduleExpressionTimezone ?? 'UTC'),
        target: functionName(target.Arn),
        input: target.Input ? JSON.parse(target.Input) : {},
      };
    });
  }

  deleteGroup(group: string): void {
    this.deletedGroups.add(group);
  }

  restoreGroup(group: string): void {
    this.deletedGroups.delete(group);
  }

  /** The schedules `which` selects exist only from `at` on (their cluster is deployed then). */
  createLater(at: number, which: (schedule: ScheduleDefinition) => boolean): void {
    for (const s of this.schedules) if (which(s)) this.createdFrom.set(s.logicalId, at);
  }

  /** Every schedule firing in [from, to), in time order. */
  due(from: number, to: number): { at: number; schedule: ScheduleDefinition }[] {
    const out: { at: number; schedule: ScheduleDefinition }[] = [];
    for (const schedule of this.schedules) {
      if (this.deletedGroups.has(schedule.group)) continue;
      const start = Math.max(from, this.createdFrom.get(schedule.logicalId) ?? from);
      for (const at of firings(schedule, start, to)) out.push({ at, schedule });
    }
    return out.sort((a, b) => a.at - b.at || a.schedule.logicalId.localeCompare(b.schedule.logicalId));
  }
}

function firings(schedule: ScheduleDefinition, from: number, to: number): number[] {
  const rate = /^rate\((\d+) (minute|hour)s?\)$/.exec(schedule.expression);
  if (rate) {
    const every = Number(rate[1]) * (rate[2] === 'hour' ? 3_600_000 : 60_000);
    const out: number[] = [];
    for (let at = Math.ceil(from / every) * every; at < to; at += every) out.push(at);
    return out;
  }
  const cron = /^cron\((\d+) (\d+) \* \* \? \*\)$/.exec(schedule.expression);
  if (!cron) throw new Error(`schedule expression ${schedule.expression} is not simulated`);
  const [minute, hour] = [Number(cron[1]), Number(cron[2])];
  const out: number[] = [];
  for (let day = Math.floor(from / 86_400_000) * 86_400_000 - 86_400_000; day < to; day += 86_400_000) {
    const at = zonedTime(day, hour, minute, schedule.timeZone);
    if (at >= from && at < to) out.push(at);
  }
  return out;
}

/** The UTC instant of `hour:minute` local time in `timeZone` on the UTC day starting at `day`. */
function zonedTime(day: number, hour: number, minute: number, timeZone: string): number {
  const guess = day + (hour * 60 + minute) * 60_000;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(guess);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return guess - (local - guess);
}
