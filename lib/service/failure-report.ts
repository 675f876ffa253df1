import type { Logger } from '@aws-lambda-powertools/logger';
import {
  renderFailureRecovered,
  renderFailureReminder,
  renderFailureStarted,
} from '../notify/checker-health';
import type { MessageSink } from '../notify/types';
import type { FailureRecord, FunctionRole, StateStore } from '../state/types';

export interface FailureContext {
  cluster: string;
  role: FunctionRole;
  state: StateStore;
  sink: MessageSink;
  logger: Logger;
  now: () => Date;
  /** A nightly run: a failure still going on gets its reminder then. */
  nightly: boolean;
  /**
   * Container memory, used when the state table itself cannot be read (a denied table): a warm
   * container still sends one message per outage.
   */
  memory: Map<string, FailureRecord>;
}

/** `Name: message`, plus the causes, one level each: what a person needs, never a secret. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- caused by ');
}

/**
 * The one catch-log-publish-rethrow both handlers share. A failure is notified once when the
 * function starts failing (critical), reminded in the nightly run (warning, email only), and its
 * recovery is notified once (info). The error is rethrown as it is, cause and all, so the
 * invocation fails and its on-failure destination and error metrics see it.
 */
export async function reportingFailures<T>(ctx: FailureContext, body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (error) {
    const text = describeError(error);
    ctx.logger.error(`${ctx.role} failed`, { cluster: ctx.cluster, error: text });
    await notifyFailure(ctx, text).catch((notifyError: unknown) =>
      ctx.logger.error('could not notify the failure', {
        cluster: ctx.cluster,
        error: describeError(notifyError),
      }),
    );
    throw error;
  }
  // The run itself succeeded: failing to say "recovered" is logged, and said by the next run.
  await notifyRecovery(ctx).catch((error: unknown) =>
    ctx.logger.error('could not notify the recovery', { cluster: ctx.cluster, error: describeError(error) }),
  );
  return result;
}

const memoryKey = (ctx: FailureContext) => `${ctx.cluster}#${ctx.role}`;

async function notifyFailure(ctx: FailureContext, text: string): Promise<void> {
  const now = ctx.now().toISOString();
  let previous: FailureRecord | undefined;
  let stored = true;
  try {
    previous = await ctx.state.loadFailure(ctx.cluster, ctx.role);
  } catch {
    stored = false;
    previous = ctx.memory.get(memoryKey(ctx));
  }
  const record: FailureRecord = {
    failingSince: previous?.failingSince ?? now,
    lastError: text,
    failures: (previous?.failures ?? 0) + 1,
    ...(previous?.lastReminderAt ? { lastReminderAt: previous.lastReminderAt } : {}),
  };
  if (!previous) await ctx.sink.publish(renderFailureStarted(ctx.cluster, ctx.role, record));
  else if (ctx.nightly) {
    await ctx.sink.publish(renderFailureReminder(ctx.cluster, ctx.role, record, now));
    record.lastReminderAt = now;
  }
  ctx.memory.set(memoryKey(ctx), record);
  if (stored) await ctx.state.saveFailure(ctx.cluster, ctx.role, record);
}

/** After a success: one "recovered" message if the function was failing. */
async function notifyRecovery(ctx: FailureContext): Promise<void> {
  const previous = (await ctx.state.loadFailure(ctx.cluster, ctx.role)) ?? ctx.memory.get(memoryKey(ctx));
  ctx.memory.delete(memoryKey(ctx));
  if (!previous) return;
  await ctx.sink.publish(renderFailureRecovered(ctx.cluster, ctx.role, previous, ctx.now().toISOString()));
  await ctx.state.saveFailure(ctx.cluster, ctx.role, undefined);
}
