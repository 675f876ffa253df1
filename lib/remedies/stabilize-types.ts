import type { ClusterView, OpenSlotMarker } from '../model/view';
import type { Escalation } from './types';

/**
 * The words of stabilize-open-slot: its sub-cases (one variant each), the draft of one slot's plan,
 * and what the planner knows of one open slot. The planner (stabilize-plan.ts and its helpers) and
 * the remedy (stabilize-open-slot.ts) both speak them; neither owns them.
 */

/** A node by id and by the address the checker dials. */
export interface Side {
  id: string;
  address: string;
}

/** The node a mark names that is no longer a master: down, or demoted to a replica of the heir. */
export type Replaced = Side & { state: 'down' | 'demoted' };

/** Where MIGRATE on the source dials the target (its announced address), and the batch size. */
export interface Move {
  migrateTo: { host: string; port: number };
  batch: number;
}

/** One slot's plan: its sub-case, the slot, where it must end up, and what that sub-case needs. */
type Plan<S extends string, P> = { subCase: S; slot: number; finalOwner: string } & P;

/**
 * The known-safe sub-cases, one variant each (DESIGN §5 rule 4). `source` is the migrating side /
 * current owner, `target` the importing side, `others` the other masters to tell the final owner.
 * A new sub-case is one variant here, one branch in `planSlot` and one case in `applySlot`.
 */
export type SlotPlan =
  /** Only an importing marker, no keys on the importer: close it. */
  | Plan<'importing-only', { importer: Side }>
  /** Only a migrating marker on the owner, its target holds nothing: close it. */
  | Plan<'migrating-only', { source: Side }>
  /** Both markers, no key reached the target: close both, importing side first. */
  | Plan<'rollback', { source: Side; target: Side }>
  /** Both markers, every key on the target (or the majority already says so): SETSLOT NODE everywhere. */
  | Plan<'finalise', { source: Side; target: Side; others: string[] }>
  /** The peer already owns it by majority; the old owner still migrating and empty: SETSLOT NODE. */
  | Plan<'owner-finalise', { source: Side; others: string[] }>
  /** Keys on both sides: MIGRATE the rest (never REPLACE), then finalise. */
  | Plan<'complete', { source: Side; target: Side; others: string[] } & Move>
  /**
   * Partial finalisation: SETSLOT NODE reached the source (and maybe others) but not the importer.
   * The source no longer claims the slot and names the importer; nobody claims it; every key is on
   * the importer: SETSLOT NODE importer, the importer first.
   */
  | Plan<'importer-finalise', { importer: Side; source: Side; others: string[] }>
  /** The importer holds keys; its source owns the slot but is not migrating: re-open that side, finish. */
  | Plan<'resume', { source: Side; target: Side; others: string[] } & Move>
  /**
   * The target died or stalled mid-move and its replica took over (Redis 7: no IMPORTING mark on it,
   * the source still MIGRATING to the old id, the old node down or back as a replica of the heir):
   * re-target both marks to the promoted node, then finish.
   */
  | Plan<
      'retarget-promoted-target',
      { source: Side; target: Side; replaced: Replaced; others: string[] } & Move
    >
  /**
   * The source died or stalled mid-move and its replica took over (Redis 7: no MIGRATING mark on it;
   * the importing target ignores gossip about the slot and still names the old owner, or none):
   * give the target the promoted owner first, re-target both marks, then finish.
   */
  | Plan<
      'retarget-promoted-source',
      { source: Side; target: Side; replaced: Replaced; others: string[] } & Move
    >
  /**
   * Valkey 8: a replica keeps a mark its primary does not have on that slot. STABLE on the primary
   * changes nothing there and is replicated, which clears the replica's stale copy.
   */
  | Plan<'replica-mark', { primary: Side; replica: Side }>;

export type SubCase = SlotPlan['subCase'];

/** One slot's known-safe plan, with what a person reads: the action is built from drafts of one group. */
export interface SlotDraft {
  plan: SlotPlan;
  /** Without the `slot N:` prefix. */
  summary: string;
  commands: string[];
  /** Addresses involved, sorted: with the sub-case, what groups slots into one action. */
  nodes: string[];
  fingerprint: string;
  keysToMove?: number;
}

/** What every branch of the planner needs about one open slot. */
export interface SlotContext {
  view: ClusterView;
  slot: number;
  markers: OpenSlotMarker[];
  migrating: OpenSlotMarker[];
  importing: OpenSlotMarker[];
  batch: number;
  /** Keys of the slot on a node (0 when not counted: callers check counts first). */
  keys: (id: string) => number;
  side: (id: string) => Side;
  /** Reachable masters other than `skip` and the final owner: the rest of the cluster to tell. */
  others: (finalOwner: string, skip: string[]) => string[];
  setslotNode: (finalOwner: string, addresses: string[]) => string[];
  draft: (
    plan: SlotPlan,
    summary: string,
    commands: string[],
    extra?: string[],
    keysToMove?: number,
  ) => SlotDraft;
  escalate: (reason: string, runbook?: string[]) => Escalation;
  /** Reachable masters other than `ids` holding keys of the slot. */
  holders: (ids: string[]) => string[];
}
