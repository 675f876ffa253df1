import type { ClusterConfig } from '../../lib/config/schema';
import { stalenessOf } from '../../lib/infra/staleness';
import { type ObserveOptions, observeCluster, type Snapshot } from '../../lib/observe';

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
