import type { FailureRecord, FunctionRole } from '../state/types';
import { asciiSubject, gsmSafe } from './sms';
import type { OutboundMessage } from './types';

const what: Record<FunctionRole, string> = { check: 'scheduled check', remediation: 'remediation run' };

const minutesBetween = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));

/**
 * The one critical message when a function of the checker starts failing: what failed and since
 * when. Later failures of the same outage send nothing (the record says it was notified).
 */
export function renderFailureStarted(
  cluster: string,
  role: FunctionRole,
  record: FailureRecord,
): OutboundMessage {
  return {
    kind: 'checker-error',
    cluster,
    severity: 'critical',
    subject: asciiSubject(`cluster-doctor CRIT ${cluster}: ${what[role]} failing`),
    email: [
      `The ${what[role]} of ${cluster} is failing since ${record.failingSince}:`,
      '',
      record.lastError,
      '',
      'This message is sent once. The next runs retry by themselves; you get one message when it recovers,',
      'and a reminder in the nightly digest while it keeps failing. The Lambda logs have the details.',
    ].join('\n'),
    sms: gsmSafe(`CRIT ${cluster}: ${what[role]} failing since ${record.failingSince}: ${record.lastError}`),
    json: JSON.stringify({ kind: 'checker-error', cluster, role, state: 'failing', ...record }),
  };
}

/** The nightly reminder while a function keeps failing: email only (warning), never a page. */
export function renderFailureReminder(
  cluster: string,
  role: FunctionRole,
  record: FailureRecord,
  now: string,
): OutboundMessage {
  const minutes = minutesBetween(record.failingSince, now);
  return {
    kind: 'digest',
    cluster,
    severity: 'warning',
    subject: asciiSubject(`cluster-doctor WARN ${cluster}: nightly: ${what[role]} still failing`),
    email: [
      `Nightly reminder: the ${what[role]} of ${cluster} has been failing since ${record.failingSince} (${minutes} min, ${record.failures} failed run(s)).`,
      '',
      `Last error: ${record.lastError}`,
    ].join('\n'),
    sms: gsmSafe(`${cluster} nightly: ${what[role]} failing since ${record.failingSince}`),
    json: JSON.stringify({ kind: 'digest', cluster, role, state: 'failing', ...record }),
  };
}

/** The one message when a failing function succeeds again. */
export function renderFailureRecovered(
  cluster: string,
  role: FunctionRole,
  record: FailureRecord,
  now: string,
): OutboundMessage {
  const minutes = minutesBetween(record.failingSince, now);
  return {
    kind: 'resolved',
    cluster,
    severity: 'info',
    subject: asciiSubject(`cluster-doctor OK ${cluster}: ${what[role]} recovered after ${minutes} min`),
    email: [
      `The ${what[role]} of ${cluster} succeeded again at ${now}, after failing since ${record.failingSince} (${minutes} min, ${record.failures} failed run(s)).`,
      '',
      `Last error was: ${record.lastError}`,
    ].join('\n'),
    sms: gsmSafe(`OK ${cluster}: ${what[role]} recovered after ${minutes} min`),
    json: JSON.stringify({
      kind: 'resolved',
      cluster,
      role,
      state: 'recovered',
      ...record,
      recoveredAt: now,
    }),
  };
}
