// zod/mini: the Lambda bundles carry these few schemas without classic zod and its locales (~440 KB).
import * as z from 'zod/mini';
import './zod-messages';

const severity = z.enum(['critical', 'warning', 'info']);

/** What one open problem looked like when it was last notified. */
const openProblemSchema = z.object({
  id: z.string(),
  severity,
  summary: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type OpenProblem = z.infer<typeof openProblemSchema>;

/**
 * What scheduled runs of one cluster remember between runs. Stored state is parsed, never cast: an
 * item written by an older or newer version that does not fit is a {@link StateFormatError}.
 */
export const clusterStateSchema = z.object({
  /** fingerprint -> open problem already notified. */
  open: z.record(z.string(), openProblemSchema),
  /** Whether the last run could observe the cluster at all (checker-error is sent once per outage). */
  lastStatus: z.optional(z.string()),
  lastRunAt: z.optional(z.string()),
  lastDigestAt: z.optional(z.string()),
  /** The last run's candidate remediation actions: key -> fingerprint (guard 2 across runs). */
  planned: z.optional(z.record(z.string(), z.string())),
  /**
   * Of those, the ones the run before planned with the same fingerprint: what the remediation
   * function may act on, however it is invoked (its persistence guard reads this).
   */
  confirmed: z.optional(z.record(z.string(), z.string())),
  /** The part of the plan last notified (would apply, refused, escalated), so it is sent once per change. */
  planNotice: z.optional(z.string()),
});
export type ClusterState = z.infer<typeof clusterStateSchema>;

export const emptyState = (): ClusterState => ({ open: {} });

/** Which function of a cluster a health record is about. */
export type FunctionRole = 'check' | 'remediation';

/** The later of two reminder times (ISO strings), or undefined when neither is set. */
export function laterReminder(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** A function that has been failing since `failingSince`: notified once, reminded nightly. */
export const failureRecordSchema = z.object({
  failingSince: z.string(),
  lastError: z.string(),
  failures: z.int().check(z.nonnegative()),
  lastReminderAt: z.optional(z.string()),
  /** The Lambda request that last recorded a failure: the failure reporter never counts it twice. */
  lastRequestId: z.optional(z.string()),
});
export type FailureRecord = z.infer<typeof failureRecordSchema>;

/** Stored state that does not match its schema. */
export class StateFormatError extends Error {
  override readonly name = 'StateFormatError';
}

/** Parses what a store read (`unknown`); `where` names the item in the error. */
export function parseStored<T>(schema: z.ZodMiniType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new StateFormatError(
    `${where}: stored state does not match its schema: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    { cause: result.error },
  );
}

export interface StateStore {
  load(cluster: string): Promise<ClusterState>;
  save(cluster: string, state: ClusterState): Promise<void>;
  /** The failure record of one of the cluster's functions, undefined while it succeeds. */
  loadFailure(cluster: string, role: FunctionRole): Promise<FailureRecord | undefined>;
  /**
   * Stores the record (undefined: deletes it). `lastReminderAt` never moves back: a save without one
   * keeps the stored one, and a save that carries an older one (a run that read the record before a
   * concurrent nightly run reminded) keeps the newer.
   */
  saveFailure(cluster: string, role: FunctionRole, record: FailureRecord | undefined): Promise<void>;
  /**
   * Stores the record of a failure that starts now only if the function has none, in one atomic
   * step: true when this call created it. Two runs that start failing together (a cluster's nightly
   * and frequent runs of the same minute) page once, from the run that created the record.
   */
  claimFailure(cluster: string, role: FunctionRole, record: FailureRecord): Promise<boolean>;
  /** Remediation outcomes already notified (refusals, escalations): action key -> what was said. */
  loadNotices(cluster: string): Promise<Record<string, string>>;
  saveNotices(cluster: string, notices: Record<string, string>): Promise<void>;
}

export const noticesSchema = z.record(z.string(), z.string());
