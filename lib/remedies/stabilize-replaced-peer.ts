import { cli } from '../model/runbook';
import { demotionUnproven } from './stabilize-demoted-proof';
import { migrateCommands } from './stabilize-runbook';
import type { SlotContext, SlotDraft } from './stabilize-types';
import { internalAddress, reachable } from './support';
import type { Escalation } from './types';

/**
 * An open slot whose mark names a node that is no longer a master: dead (the checker cannot reach
 * it), or demoted to a replica (it stalled past the node timeout, a replica took over, and it came
 * back as a replica of that heir, which cleared its own mark). Known-safe only when a replica took
 * the node's slots over and proves it: the heir's own claim or the keys it holds, its
 * `master_replid2`, and, for a demoted node, that it claims nothing, replicates the heir in sync,
 * served the stream the heir took over and holds no key the heir lacks. Then the move is
 * re-targeted to the heir and finished. A dead node that still owns slots took its whole shard
 * with it: the moved keys exist only there, so the slot is held exactly as it is, for a person to
 * bring the node back (DESIGN §5 rule 4).
 */
export function planReplacedPeer(ctx: SlotContext, gone: string[]): SlotDraft | Escalation {
  const { view, migrating, importing, escalate } = ctx;
  const labels = (ids: string[]) => ids.map((id) => view.label(id)).join(', ');
  const waiting = gone.filter((id) => !reachable(view, id) && !view.isDown(id));
  if (waiting.length > 0)
    return escalate(
      `involved node(s) unreachable but not flagged fail by the cluster: ${labels(waiting)}; wait for failure detection (and failover) before acting`,
    );
  if (gone.length > 1)
    return escalate(`several nodes named by the marks are no longer masters: ${labels(gone)}`);
  const peer = gone[0] as string;
  const demoted = reachable(view, peer);
  if (demoted) {
    const claimed = view.nodes.get(peer)?.self?.slots.length ?? 0;
    if (claimed > 0)
      return escalate(`${view.label(peer)} says it is a replica but claims ${claimed} slot range(s) itself`);
    if (view.slotsAgreed(peer) > 0)
      return escalate(
        `${view.label(peer)} is a replica by its own word, but the masters still give it ${view.slotsAgreed(peer)} slot(s): wait for gossip to settle`,
      );
  } else if (view.slotsAgreed(peer) > 0) return hold(ctx, peer);
  const [m] = migrating;
  const [i] = importing;
  if (m && migrating.length === 1 && m.peer === peer && importing.every((x) => x.peer === m.nodeId))
    return replacedTarget(ctx, peer);
  if (i && importing.length === 1 && i.peer === peer && migrating.length === 0)
    return replacedSource(ctx, peer);
  return escalate(
    `a mark names ${view.label(peer)} (${demoted ? 'now a replica' : 'down'}), with ${migrating.length} migrating and ${importing.length} importing mark(s): not a known-safe case`,
  );
}

/** How a plan says what became of the node a mark names. */
function fate(ctx: SlotContext, peer: string, role: 'source' | 'target'): string {
  const { view } = ctx;
  const master = view.replicating(peer);
  return master
    ? `the move's ${role} ${view.label(peer)} is no longer a master: it is a replica of ${view.label(master)} (demoted: it stalled past the node timeout, or failed over, and a replica took its slots over)`
    : `the move's ${role} ${view.label(peer)} is down and its slots were taken over`;
}

/** The target died or was demoted and a replica took over; the source still MIGRATING to the old id. */
function replacedTarget(ctx: SlotContext, peer: string): SlotDraft | Escalation {
  const { view, slot, keys, side, others, setslotNode, draft, escalate } = ctx;
  const m = ctx.migrating[0] as (typeof ctx.migrating)[number];
  const source = side(m.nodeId);
  const demoted = reachable(view, peer);
  const gone = fate(ctx, peer, 'target');
  if (!view.claimsItself(source.id, slot))
    return escalate(`${gone}; ${source.address} is migrating a slot it does not claim itself`);
  const candidates = view.observers
    .filter(
      (o) =>
        o.self.role === 'master' &&
        o.self.id !== source.id &&
        (keys(o.self.id) > 0 || ctx.importing.some((x) => x.nodeId === o.self.id)),
    )
    .map((o) => o.self.id);
  if (candidates.length === 0) {
    if (demoted) return demotedEmptyTarget(ctx, peer, gone);
    // No live node holds or imports a key of the slot: the moved keys may exist only on the dead node
    // (a target that never owned slots, such as a node added for a rebalance, has no replica to take over).
    return hold(
      ctx,
      peer,
      `${view.label(peer)} owns no slot now and no live node holds or imports a key of the slot`,
    );
  }
  if (candidates.length > 1)
    return escalate(
      `${gone}; keys of the slot on several nodes: ${candidates.map((id) => view.label(id)).join(', ')}`,
    );
  const heir = candidates[0] as string;
  const target = side(heir);
  if (!view.wasPromoted(heir))
    return escalate(
      `${gone}; ${target.address} holds keys of the slot but shows no sign of having been promoted (INFO replication master_replid2 is empty): not known-safe`,
    );
  if (view.claimsItself(heir, slot)) return escalate(`${gone}; ${target.address} claims the slot itself`);
  const unproven = demoted ? demotionUnproven(ctx, peer, heir) : undefined;
  if (unproven) return escalate(`${gone}; ${unproven}`);
  const migrateTo = internalAddress(view, heir, source.id);
  if (!migrateTo) return escalate(`no announced address for ${target.address}`);
  const marked = ctx.importing.some((x) => x.nodeId === heir);
  const rest = others(heir, [source.address, target.address]);
  return draft(
    {
      subCase: 'retarget-promoted-target',
      slot,
      finalOwner: heir,
      source,
      target,
      replaced: { ...side(peer), state: demoted ? 'demoted' : 'down' },
      others: rest,
      migrateTo,
      batch: ctx.batch,
    },
    `${gone}: its replica ${target.address} was promoted and holds ${keys(heir)} moved key(s) ${marked ? 'with' : 'without'} an IMPORTING mark; ${source.address} is still MIGRATING to the old id: re-target the move to ${target.address} and finish it`,
    [
      ...(marked ? [] : [cli(target.address, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id)]),
      cli(source.address, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', heir),
      ...migrateCommands(view, source.address, migrateTo, slot),
      ...setslotNode(heir, [target.address, source.address, ...rest]),
    ],
    [`${demoted ? 'demoted' : 'dead'}:${peer}`, `promoted:${heir}`],
    keys(source.id),
  );
}

/**
 * The target was demoted before any key reached it (or its heir): the source is MIGRATING to a
 * replica, and no master but the source holds or imports a key of the slot. When the demoted node
 * proves it was replaced (it replicates its heir in sync by a partial resync, so everything it ever
 * held is in the heir's stream) and neither holds a key of the slot, nothing was moved: close the
 * source's side, as for any migrating-only mark with an empty target. Unproven: escalated.
 */
function demotedEmptyTarget(ctx: SlotContext, peer: string, gone: string): SlotDraft | Escalation {
  const { view, slot, keys, side, draft, escalate } = ctx;
  const m = ctx.migrating[0] as (typeof ctx.migrating)[number];
  const heir = view.replicating(peer) as string;
  const none = `${gone}; no live master other than the source holds or imports a key of the slot`;
  const unproven = demotionUnproven(ctx, peer, heir);
  if (unproven) return escalate(`${none}, and ${unproven}`);
  if (keys(heir) > 0 || (view.replicaKeysIn(peer, slot) ?? 1) > 0)
    return escalate(`${none}, but ${view.label(peer)} or ${view.label(heir)} holds keys of it`);
  return draft(
    { subCase: 'migrating-only', slot, finalOwner: m.nodeId, source: side(m.nodeId) },
    `${gone}; no key of the slot reached it or ${view.label(heir)}, which took its stream over: nothing was moved, close ${m.node}'s side`,
    [cli(m.node, 'CLUSTER', 'SETSLOT', slot, 'STABLE')],
    [`demoted:${peer}`, `promoted:${heir}`],
  );
}

/** The source died or was demoted and a replica took over; the target still IMPORTING from the old id. */
function replacedSource(ctx: SlotContext, peer: string): SlotDraft | Escalation {
  const { view, slot, keys, side, others, setslotNode, draft, escalate } = ctx;
  const i = ctx.importing[0] as (typeof ctx.importing)[number];
  const target = side(i.nodeId);
  const demoted = reachable(view, peer);
  const gone = fate(ctx, peer, 'source');
  const claimants = view.selfClaimants(slot).filter((id) => id !== target.id);
  if (claimants.length !== 1)
    return escalate(`${gone}; ${claimants.length} node(s) claim the slot themselves: not known-safe`);
  const heir = claimants[0] as string;
  const source = side(heir);
  if (!view.wasPromoted(heir))
    return escalate(
      `${gone}; ${source.address} claims the slot but shows no sign of having been promoted (INFO replication master_replid2 is empty): not known-safe`,
    );
  const third = ctx.holders([heir, target.id]);
  if (third.length > 0) return escalate(`${gone}; keys of the slot on a third node: ${third.join(', ')}`);
  const unproven = demoted ? demotionUnproven(ctx, peer, heir) : undefined;
  if (unproven) return escalate(`${gone}; ${unproven}`);
  const migrateTo = internalAddress(view, target.id, heir);
  if (!migrateTo) return escalate(`no announced address for ${target.address}`);
  const targetView = view.nodes.get(target.id)?.observation;
  const named = targetView ? view.ownerIn(targetView, slot) : undefined;
  const state = targetView?.clusterInfo?.cluster_state ?? 'unknown';
  const stale =
    named === peer
      ? ` and, importing, ignores gossip about the slot: it still names the ${demoted ? 'demoted' : 'dead'} node as owner (cluster_state:${state})`
      : named === undefined
        ? ` and, importing, ignores gossip about the slot: it names no owner for it (cluster_state:${state})`
        : '';
  const rest = others(target.id, [source.address, target.address]);
  return draft(
    {
      subCase: 'retarget-promoted-source',
      slot,
      finalOwner: target.id,
      source,
      target,
      replaced: { ...side(peer), state: demoted ? 'demoted' : 'down' },
      others: rest,
      migrateTo,
      batch: ctx.batch,
    },
    `${gone}: its replica ${source.address} was promoted and owns the slot (its own word, ${keys(heir)} key(s) left to move); ${target.address} is still IMPORTING from the old id (${keys(target.id)} key(s) moved)${stale}: give it ${source.address} as owner, re-target the move from ${source.address} and finish it`,
    [
      cli(target.address, 'CLUSTER', 'SETSLOT', slot, 'NODE', heir),
      cli(target.address, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', heir),
      cli(source.address, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id),
      ...migrateCommands(view, source.address, migrateTo, slot),
      ...setslotNode(target.id, [target.address, source.address, ...rest]),
    ],
    [`${demoted ? 'demoted' : 'dead'}:${peer}`, `promoted:${heir}`, `named:${named ?? ''}`],
    keys(heir),
  );
}

/**
 * The dead node still owns slots, so no replica took over: its whole shard is down and the keys
 * already moved (or not yet moved) of this slot exist only there. Never STABLE the live side (its
 * ASK redirects point at the only copy), never hand the lost shard's slots to anyone.
 */
function hold(ctx: SlotContext, dead: string, why?: string): Escalation {
  const { view, slot, markers } = ctx;
  const live = markers[0];
  const targetDied = markers.some((m) => m.kind === 'migrating' && m.peer === dead);
  const role = targetDied ? 'target' : 'source';
  const what = targetDied ? 'the keys already moved' : 'the keys not yet moved';
  const replicas = view.replicasOf(dead);
  const shard = `${replicas.length === 0 ? 'no replica' : `replica(s) ${replicas.map((r) => view.label(r.id)).join(', ')} down too`}; it still owns ${view.slotsAgreed(dead)} slot(s)`;
  const reason = `hold: the move's ${role} ${view.label(dead)} is down ${why ? `(${why})` : `with its whole shard (${shard})`}: ${what} of slot ${slot} may exist only there. Closing the slot would make them read as missing, and new writes would collide when it returns`;
  const seed = live?.node ?? '';
  return ctx.escalate(reason, [
    `# Bring ${view.addressOf(dead)} back on the same address with its data directory (nodes.conf and RDB/AOF) intact, then wait for every node to say cluster_state:ok:`,
    cli(seed, 'CLUSTER', 'INFO'),
    `cluster-doctor fix ${seed} --yes   # then finishes the move`,
    `# Never meanwhile: CLUSTER SETSLOT ${slot} STABLE on ${markers.map((m) => m.node).join(', ')}, CLUSTER FORGET ${dead}, or giving its slots to another node.`,
  ]);
}
