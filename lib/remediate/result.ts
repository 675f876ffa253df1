import type { Report } from '../checks/types';
import type { Plan, PlanEntry } from '../guard/types';
import type { PlannedAction } from '../remedies/catalog';
import type { TimedStep } from './timeline';

/** `stopped`: started, and stopped at the run's deadline in a state the next run resumes (a key move between rounds). */
export type ActionStatus =
  | 'applied'
  | 'stopped'
  | 'skipped'
  | 'refused'
  | 'escalated'
  | 'failed'
  | 'unavailable';

/** One line of the fix report (issue contract): what was done to which slots, and the key ledger. */
export interface ActionResult {
  remedy: string;
  key: string;
  subCase: string;
  slots: [number, number][];
  nodes: string[];
  status: ActionStatus;
  guard?: string;
  reason: string;
  commands: string[];
  /** slot -> keys across masters, just before acting and after verification. */
  keysBefore?: Record<string, number>;
  keysAfter?: Record<string, number>;
  keysMoved?: number;
  /**
   * Keys whose TTL ran out on the touched masters while the action ran (`expired_keys` of `INFO
   * stats`, node-wide, so an upper bound for the touched slots). A fall of
   * the key counts up to this many is the data's own life, not a key the action lost.
   */
  keysExpired?: number;
  durationMs?: number;
  /**
   * For a failed action: the fingerprint of its candidate on the state the failure left (planned on
   * the observation after it), absent when it is no longer a candidate. A failure mid-way may have
   * changed the state (a MIGRATE batch moves keys before the one refused): the scheduled service
   * remembers this, so a retry on the same state is escalated (`failed-before`).
   */
  fingerprintLeft?: string;
  /** For escalated actions: what a person should do. */
  runbook?: string[];
  /** How many commands the action sent, when `commands` shows only their start and end ({@link forAudit}). */
  commandCount?: number;
}

/** Commands an audit message or history item shows: the first ones, a line for the rest, the last ones. */
const AUDIT_HEAD = 40;
const AUDIT_TAIL = 10;

/**
 * The action as an audit message or history item carries it: a long key move sends a MIGRATE per
 * batch (2 000 of them for 20 000 keys on a busy source) and closing 1 000 slots sends 4 000
 * `SETSLOT`s, which would not fit SNS's 256 KiB or DynamoDB's 400 KB item. The first 40 and last 10
 * are kept, with how many were left out between them; the fix's own report keeps every one.
 */
export function forAudit(action: ActionResult): ActionResult {
  const { commands } = action;
  if (commands.length <= AUDIT_HEAD + AUDIT_TAIL + 1) return action;
  const omitted = commands.length - AUDIT_HEAD - AUDIT_TAIL;
  return {
    ...action,
    commands: [
      ...commands.slice(0, AUDIT_HEAD),
      `... ${omitted} more command(s) ...`,
      ...commands.slice(-AUDIT_TAIL),
    ],
    commandCount: commands.length,
  };
}

export interface FixResult {
  plan: Plan;
  actions: ActionResult[];
  after: Report;
  /** Where the run's time went, step by step (observations, settle wait, each action's phases). */
  timeline?: TimedStep[];
}

export function resultOf(
  action: PlannedAction,
  status: ActionStatus,
  reason: string,
  guard?: string,
): ActionResult {
  return {
    remedy: action.remedy,
    key: action.key,
    subCase: action.subCase,
    slots: action.slots,
    nodes: action.nodes,
    status,
    guard,
    reason,
    commands: action.commands,
  };
}

/** A plan entry that was not applied: dry-run is `skipped`, the other verdicts keep their name. */
export function fromEntry(entry: PlanEntry): ActionResult {
  const status: ActionStatus =
    entry.status === 'dry-run' ? 'skipped' : entry.status === 'allowed' ? 'refused' : entry.status;
  return {
    ...resultOf(entry.action, status, entry.reason, entry.guard),
    ...(entry.action.runbook ? { runbook: entry.action.runbook } : {}),
  };
}
