import { renderFailureReminder, renderFailureStarted } from '../notify/checker-health';
import type { OutboundMessage } from '../notify/types';
import type { FailureRecord, FunctionRole, StateStore } from '../state/types';

/** One failed run of a cluster's function, as the handler's wrapper or the failure reporter saw it. */
export interface FailedRun {
  cluster: string;
  role: FunctionRole;
  /** What failed, for a person (never a secret, never an ARN or account id: see {@link describeError}). */
  error: string;
  at: string;
  /** A nightly run: a failure still going on gets its reminder then. */
  nightly: boolean;
  /** The Lambda request id, so the wrapper and the reporter never count one failure twice. */
  requestId?: string;
}

/**
 * The one rule both reporters of a failure follow: the first failure of an outage is notified
 * (critical), later ones only counted, with a reminder in the nightly run (email only, once a night). A failure
 * already recorded under the same request id (the handler's wrapper reported it, then Lambda handed
 * the failed invocation to the reporter) changes nothing.
 */
export function nextFailureRecord(
  previous: FailureRecord | undefined,
  run: FailedRun,
): { record: FailureRecord; message?: OutboundMessage } | undefined {
  if (run.requestId !== undefined && previous?.lastRequestId === run.requestId) return undefined;
  const record: FailureRecord = {
    failingSince: previous?.failingSince ?? run.at,
    lastError: run.error,
    failures: (previous?.failures ?? 0) + 1,
    // No reminder time unless this run reminds: the store keeps the one it has (StateStore.saveFailure).
    ...(run.requestId !== undefined ? { lastRequestId: run.requestId } : {}),
  };
  if (!previous) return { record, message: renderFailureStarted(run.cluster, run.role, record) };
  if (!run.nightly || remindedWithin(previous, run.at)) return { record };
  return {
    record: { ...record, lastReminderAt: run.at },
    message: renderFailureReminder(run.cluster, run.role, record, run.at),
  };
}

/**
 * Nightly runs are a day apart (23 or 25 hours across a clock change): a reminder less than 20 hours
 * old was this night's, sent by another run of it (the wrapper and the reporter, or a frequent run
 * that overlapped the nightly one), and is not sent again.
 */
const REMINDER_GAP_MS = 20 * 3_600_000;

function remindedWithin(previous: FailureRecord, at: string): boolean {
  return (
    previous.lastReminderAt !== undefined &&
    Date.parse(at) - Date.parse(previous.lastReminderAt) < REMINDER_GAP_MS
  );
}

/**
 * Sends `next`'s message and stores its record, in the order that keeps each promise when one of
 * the two calls fails or times out after doing its work (a publish the topic took but whose answer
 * was late; a save that was stored but not acknowledged). The page that a failure started is sent
 * first, so it is never lost: at worst it is sent twice (the reporter sends it again when the record
 * was not saved). A nightly reminder is recorded first, so it is never sent twice: at worst one
 * night's reminder is lost, which the next night's makes up.
 */
export async function deliverFailureRecord(
  next: { record: FailureRecord; message?: OutboundMessage },
  publish: (message: OutboundMessage) => Promise<void>,
  save: (record: FailureRecord) => Promise<void>,
): Promise<void> {
  if (next.message?.kind === 'digest') {
    await save(next.record);
    await publish(next.message);
    return;
  }
  if (next.message) await publish(next.message);
  await save(next.record);
}

/** The failure records of one deployment: what both reporters of a failure read and write. */
export type FailureStore = Pick<StateStore, 'loadFailure' | 'saveFailure' | 'claimFailure'>;

/**
 * Records one failed run and sends what the record says is new; both reporters of a failure (the
 * handler's wrapper and the failure reporter) go through here. The first failure of an outage claims
 * the record before it pages, so two runs that start failing together page once; the other re-reads
 * the record and is counted, without a reminder of a start a second old. A start page the topic
 * refused withdraws the claim (the error is rethrown), so the next reporter of the failure sends it.
 */
export async function recordFailedRun(
  store: FailureStore,
  run: FailedRun,
  publish: (message: OutboundMessage) => Promise<void>,
): Promise<'published' | 'counted' | 'already-reported'> {
  const previous = await store.loadFailure(run.cluster, run.role);
  const next = nextFailureRecord(previous, run);
  if (!next) return 'already-reported';
  if (previous || !next.message) {
    await deliverFailureRecord(next, publish, (record) => store.saveFailure(run.cluster, run.role, record));
    return next.message ? 'published' : 'counted';
  }
  if (!(await store.claimFailure(run.cluster, run.role, next.record))) {
    const claimed = await store.loadFailure(run.cluster, run.role);
    const counted = nextFailureRecord(claimed, { ...run, nightly: false });
    if (counted) await store.saveFailure(run.cluster, run.role, counted.record);
    return counted ? 'counted' : 'already-reported';
  }
  try {
    await publish(next.message);
  } catch (error) {
    await store.saveFailure(run.cluster, run.role, undefined).catch(() => undefined);
    throw error;
  }
  return 'published';
}

/** `Name: message`, plus the causes, one level each: what a person needs, never a secret. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return withoutAccountDetails(parts.join(' <- caused by '));
}

/**
 * Error texts from AWS name the role, the account and the resource by ARN. A message to people names
 * the resource alone (`secret cluster-doctor/orders-cache`), and no account id.
 */
export function withoutAccountDetails(text: string): string {
  return text
    .replace(/arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:\d{0,12}:([^\s"',;)]+)/g, (_all, service, resource) => {
      const name = String(resource).replace(/^(secret|function|table|key|alias):/, '$1 ');
      // A secret's ARN ends in 6 random characters that its name does not have.
      return `${service} ${service === 'secretsmanager' ? name.replace(/-[A-Za-z0-9]{6}$/, '') : name}`;
    })
    .replace(/\b\d{12}\b/g, '<account>');
}
