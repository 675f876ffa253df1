import { Duration } from 'aws-cdk-lib';
import type { ClusterConfig } from '../config/schema';

/** Seconds between two runs of `rate(N unit)`. */
export function rateSeconds(rate: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(rate);
  if (!match) throw new Error(`not a rate expression: ${rate}`);
  const unit = { minute: 60, hour: 3600, day: 86_400 }[match[2] as 'minute' | 'hour' | 'day'];
  return Number(match[1]) * unit;
}

/** The nightly schedule alone: a day between runs, and two hours of slack for a slow or late run. */
const NIGHTLY_WINDOW_S = 26 * 3600;
/** Silence shorter than this is not worth waking anyone for, however frequent the schedule. */
const MIN_WINDOW_S = 15 * 60;

export interface Staleness {
  period: Duration;
  periods: number;
  windowMinutes: number;
  reason: string;
}

/**
 * How long without a successful check means the checker is dead, from the cluster's own schedule:
 * three frequent intervals (at least 15 min; so two missed runs, whatever the jitter of one), or 26 h
 * with the nightly run only. The alarm needs every period of the window empty; CloudWatch allows a
 * period x evaluation periods of 1 day below a 1 h period, 7 days from 1 h.
 */
export function stalenessOf(schedules: ClusterConfig['schedules']): Staleness {
  const rate = schedules.frequent ? rateSeconds(schedules.frequent.rate) : undefined;
  const window =
    rate === undefined ? NIGHTLY_WINDOW_S : Math.min(NIGHTLY_WINDOW_S, Math.max(3 * rate, MIN_WINDOW_S));
  const periodS = rate !== undefined && rate < 3600 && window < NIGHTLY_WINDOW_S ? rate : 3600;
  const periods = Math.ceil(window / periodS);
  return {
    period: Duration.seconds(periodS),
    periods,
    windowMinutes: (periods * periodS) / 60,
    reason:
      rate === undefined || window === NIGHTLY_WINDOW_S
        ? 'nightly schedule: a day between runs plus 2 h'
        : `three intervals of ${schedules.frequent?.rate}, at least 15 min`,
  };
}
