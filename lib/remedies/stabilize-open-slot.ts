import type { ClusterView, OpenSlotMarker } from '../model/view';
import { formatRanges, rangesFromSlots } from '../topology/slots';
import { type CommandArg, describeCommand, type Executor } from './executor';
import { migrateKeys } from './migrate-keys';
import { planReplicaMark, planSlot } from './stabilize-plan';
import type { Move, Side, SlotDraft, SlotPlan, SubCase } from './stabilize-types';
import { mastersDisagreeing } from './support';
import type { ApplyOutcome, Escalation, Remedy, Step } from './types';

/** One action: slots of the same sub-case between the same nodes, closed together (budget: slots, keys). */
export type StabilizeStep = {
  [S in SubCase]: Step<'stabilize-open-slot', S, { slots: Extract<SlotPlan, { subCase: S }>[] }>;
}[SubCase];

type Send = (address: string, ...args: CommandArg[]) => Promise<unknown>;
/** Sends through an executor and records each command as the action reports it. */
type Recorder = (exec: Executor) => Send;

/** Slots of one action applied at once. */
const CONCURRENT = 50;

/**
 * Closes slots left `migrating`/`importing`, for exactly the observed sub-case (DESIGN §5 rule 4),
 * including a move whose target or source died and was replaced by its promoted replica. The owner
 * is decided from what each node says of itself and where the keys are, not from a vote of stale
 * views. Anything unlisted is escalated.
 */
export const stabilizeOpenSlot: Remedy<StabilizeStep> = {
  id: 'stabilize-open-slot',
  title: 'Close a slot stuck migrating/importing',
  optIn: false,
  plan(view, settings) {
    const bySlot = new Map<number, OpenSlotMarker[]>();
    for (const m of view.openSlots) bySlot.set(m.slot, [...(bySlot.get(m.slot) ?? []), m]);
    const drafts = [...bySlot].map(([slot, markers]) => planSlot(view, slot, markers, settings.migrateBatch));
    return group([
      ...drafts,
      ...view.staleReplicaMarks().map((s) => planReplicaMark(view, s.mark, s.primary)),
    ]);
  },
  async apply(step, exec) {
    const executed: string[] = [];
    const recorder: Recorder =
      (through) =>
      async (address, ...args) => {
        executed.push(`${address} ${describeCommand(args)}`);
        return through.run(address, ...args);
      };
    let keysMoved = 0;
    // Each slot's commands go in order; up to CONCURRENT slots at once share the nodes' connections
    // (their commands are pipelined). Every slot in flight settles before an error stops the run.
    const slots: SlotPlan[] = step.params.slots;
    for (let i = 0; i < slots.length; i += CONCURRENT) {
      const settled = await Promise.allSettled(
        slots.slice(i, i + CONCURRENT).map((plan) => applySlot(plan, exec, recorder)),
      );
      for (const r of settled) if (r.status === 'fulfilled') keysMoved += r.value;
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return { executed, keysMoved } satisfies ApplyOutcome;
  },
  verify(step, view) {
    for (const plan of step.params.slots as SlotPlan[]) {
      const problem =
        plan.subCase === 'replica-mark'
          ? verifyReplica(view, plan.slot, plan.replica)
          : verifySlot(view, plan);
      if (problem) return problem;
    }
    return undefined;
  },
};

/** Sends one slot's commands; returns how many keys MIGRATE moved. */
async function applySlot(plan: SlotPlan, exec: Executor, recorder: Recorder): Promise<number> {
  const { slot, finalOwner } = plan;
  const send = recorder(exec);
  switch (plan.subCase) {
    case 'importing-only':
      await send(plan.importer.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      return 0;
    case 'migrating-only':
      await send(plan.source.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      return 0;
    case 'rollback':
      // Importing side first, so no client is sent ASKING to a node that no longer expects it.
      await send(plan.target.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      await send(plan.source.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      return 0;
    case 'finalise':
      await finalise(slot, finalOwner, [plan.target.address, plan.source.address, ...plan.others], send);
      return 0;
    case 'owner-finalise':
      await finalise(slot, finalOwner, [plan.source.address, ...plan.others], send);
      return 0;
    case 'importer-finalise':
      await finalise(slot, finalOwner, [plan.importer.address, plan.source.address, ...plan.others], send);
      return 0;
    case 'complete':
      return finish(plan, exec, recorder);
    case 'replica-mark':
      await send(plan.primary.address, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
      return 0;
    case 'resume':
      await send(plan.source.address, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', plan.target.id);
      return finish(plan, exec, recorder);
    case 'retarget-promoted-target':
      // Target first (redis-cli's order): an ASK redirect must land on a node that accepts ASKING.
      await send(plan.target.address, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', plan.source.id);
      await send(plan.source.address, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', plan.target.id);
      return finish(plan, exec, recorder);
    case 'retarget-promoted-source':
      // The target's view first: while it names the old owner (or none) it may be `cluster_state:fail`,
      // and refuses the RESTORE-ASKING that MIGRATE sends. SETSLOT NODE <other> keeps its IMPORTING mark.
      await send(plan.target.address, 'CLUSTER', 'SETSLOT', slot, 'NODE', plan.source.id);
      await send(plan.target.address, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', plan.source.id);
      await send(plan.source.address, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', plan.target.id);
      return finish(plan, exec, recorder);
  }
}

/**
 * Slots with more keys than this move on a connection of their own, so their rounds never wait in a
 * reply queue behind the other slots of the action. Smaller slots share one connection, so closing
 * hundreds of them opens no more connections.
 */
const OWN_CONNECTION_ABOVE = 100;

/** MIGRATE what is left on the source, then SETSLOT NODE target everywhere. */
async function finish(
  plan: { slot: number; finalOwner: string; source: Side; target: Side; others: string[] } & Move,
  exec: Executor,
  recorder: Recorder,
): Promise<number> {
  const keys = Number(await exec.run(plan.source.address, 'CLUSTER', 'COUNTKEYSINSLOT', plan.slot));
  const through = keys > OWN_CONNECTION_ABOVE ? exec.lane() : exec;
  let moved: number;
  try {
    moved = await migrateKeys({
      slot: plan.slot,
      source: plan.source.address,
      to: plan.migrateTo,
      batch: plan.batch,
      exec: through,
      send: recorder(through),
      total: keys,
      onProgress: exec.onProgress,
    });
  } finally {
    if (through !== exec) through.close();
  }
  await finalise(
    plan.slot,
    plan.finalOwner,
    [plan.target.address, plan.source.address, ...plan.others],
    recorder(exec),
  );
  return moved;
}

function verifyReplica(view: ClusterView, slot: number, replica: Side): string | undefined {
  const still = view.replicaMarks.some((m) => m.slot === slot && m.nodeId === replica.id);
  return still ? `replica ${replica.address} still shows slot ${slot} open` : undefined;
}

function verifySlot(view: ClusterView, plan: SlotPlan): string | undefined {
  const { slot, finalOwner } = plan;
  // Replicas included where this action wrote to their primary: on Valkey 8 the primary's SETSLOT
  // clears its replicas' copies of the mark. A replica of a node the action never touched may keep a
  // stale copy of another mark (valkey-io/valkey#998): that is `replica-mark`'s to close, not a
  // failure of this action (a Valkey soak paged "failed" for one, cleared a second later).
  const written = new Set(writtenTo(plan));
  const copyOfOurs = (m: OpenSlotMarker) => {
    const primary = view.nodes.get(m.nodeId)?.masterId;
    return !primary || written.has(view.addressOf(primary));
  };
  const still = [...view.openSlots, ...view.replicaMarks.filter(copyOfOurs)].filter((m) => m.slot === slot);
  if (still.length > 0) return `slot ${slot} still open on ${still.map((m) => m.node).join(', ')}`;
  const wrong = mastersDisagreeing(view, slot, finalOwner);
  if (wrong.length > 0)
    return `${wrong.join(', ')} do not yet say ${view.addressOf(finalOwner)} owns slot ${slot}`;
  return undefined;
}

/** The masters a slot's plan sends CLUSTER SETSLOT to (never the node it replaces). */
function writtenTo(plan: SlotPlan): string[] {
  const sides = [
    'importer' in plan ? plan.importer : undefined,
    'source' in plan ? plan.source : undefined,
    'target' in plan ? plan.target : undefined,
    'primary' in plan ? plan.primary : undefined,
  ];
  return [...sides.flatMap((side) => (side ? [side.address] : [])), ...('others' in plan ? plan.others : [])];
}

/** SETSLOT NODE on the new owner first (it bumps its epoch), then the old owner, then every other master. */
async function finalise(slot: number, finalOwner: string, order: string[], send: Send) {
  for (const address of [...new Set(order)])
    await send(address, 'CLUSTER', 'SETSLOT', slot, 'NODE', finalOwner);
}

/**
 * One action per sub-case and set of nodes (an interrupted rebalance leaves hundreds of slots open
 * between the same two nodes: one action closes them all, and the budget counts slots and keys).
 * Escalations stay one per slot, each with its own reason.
 */
function group(drafts: (SlotDraft | Escalation)[]): (StabilizeStep | Escalation)[] {
  const groups = new Map<string, SlotDraft[]>();
  const out: (StabilizeStep | Escalation)[] = [];
  for (const d of drafts) {
    if ('escalate' in d && d.subCase === 'escalate') {
      out.push(d);
      continue;
    }
    const draft = d as SlotDraft;
    const key = `${draft.plan.subCase} ${draft.nodes.join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), draft]);
  }
  for (const members of groups.values()) out.push(combine(members));
  return out.sort((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0));
}

function combine(members: SlotDraft[]): StabilizeStep {
  const [first] = members as [SlotDraft];
  const slots = rangesFromSlots(members.map((m) => m.plan.slot));
  const keysToMove = members.reduce((n, m) => n + (m.keysToMove ?? 0), 0);
  const single = members.length === 1;
  const text = formatRanges(slots);
  return {
    remedy: 'stabilize-open-slot',
    // A replica's stale mark may share its slot with an open slot of the masters: its own key.
    key: `stabilize-open-slot:${first.plan.subCase === 'replica-mark' ? 'replica-mark:' : ''}${text}`,
    subCase: first.plan.subCase,
    slots,
    nodes: first.nodes,
    summary: single
      ? `slot ${first.plan.slot}: ${first.summary}`
      : `${members.length} slots (${text}), each like slot ${first.plan.slot}: ${first.summary}`,
    commands: single
      ? first.commands
      : [
          ...first.commands,
          `# ... and the same for each of the other ${members.length - 1} slot(s) of ${text}`,
        ],
    fingerprint: single ? first.fingerprint : JSON.stringify(members.map((m) => m.fingerprint)),
    ...(keysToMove > 0 ? { keysToMove } : {}),
    params: { slots: members.map((m) => m.plan) },
  } as StabilizeStep;
}
