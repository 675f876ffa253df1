import { cli } from '../model/runbook';
import type { ClusterView, NodeFacts } from '../model/view';
import type { NodeObservation } from '../observe/types';
import { infoNumber } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** A dead node counts as a ghost once silent this many `cluster-node-timeout`s (5 min at the default 15 s). */
export const GHOST_SILENCE_NODE_TIMEOUTS = 20;
const DEFAULT_NODE_TIMEOUT_MS = 15_000;

type GhostKind = 'handshake' | 'noaddr' | 'dead';

/**
 * Ghost entries in the node tables: a `handshake` that has not completed (a MEET to a wrong or dead
 * address), a `noaddr` node, or a dead node nobody forgot: flagged `fail` by most observers listing
 * it, unreachable from the checker, with no observer connected to it, no slots in any view, and no
 * pong for {@link GHOST_SILENCE_NODE_TIMEOUTS} node timeouts. Remedy `forget-ghost-node` when it
 * owns no slots, except for a handshake: its id is temporary and the entry expires by itself.
 */
export const nodeHandshake = defineCheck({
  id: 'node-handshake',
  severity: 'warning',
  title: 'Ghost node (handshake, noaddr, or dead and never forgotten)',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const node of view.list()) {
      const kind = ghostKind(view, node);
      if (!kind) continue;
      const lines = [...node.seenBy];
      const ownsSlots = lines.some(([, e]) => e.slots.length > 0);
      const hasAddress = lines.some(([, e]) => e.ip !== '' || e.hostname);
      const observers = lines.map(([o]) => o).filter((o) => o !== node.address);
      // A handshake is a transition (MEET just sent): info with its bound; the scheduled runs make it
      // a warning when the same address is still in handshake after that (something keeps MEETing it).
      const handshakeBound = Math.ceil((2 * nodeTimeoutMs(view)) / 1000);
      findings.push({
        ...(kind === 'handshake' ? { severity: 'info' as const } : {}),
        summary: `${describe(kind, node)}, listed by ${observers.length} observer(s)`,
        ...(hasAddress ? { nodes: [node.address] } : {}),
        evidence: {
          kind,
          id: node.id,
          address: hasAddress ? node.address : null,
          seenBy: Object.fromEntries(
            lines.map(([o, e]) => [
              o,
              { flags: e.flags.join(','), linkState: e.linkState, pongRecv: e.pongRecv, slots: e.slots },
            ]),
          ),
          ...(kind === 'dead' ? { silentForMs: silentForMs(view, node) } : {}),
          ...(kind === 'handshake'
            ? { transition: { state: 'handshake', boundSeconds: Math.max(60, handshakeBound) } }
            : {}),
        },
        runbook:
          kind === 'handshake'
            ? [
                `A handshake that never completes: nothing answers on ${node.address}'s cluster bus port, or the node there announces another address (cluster-announce-ip/port). Check the address and the firewall.`,
                'The entry (its id is temporary) disappears after cluster-node-timeout unless something keeps introducing it: a repeated CLUSTER MEET, or gossip from a node that lists that address.',
                ...observers.slice(0, 3).map((o) => cli(o, 'CLUSTER', 'NODES')),
              ]
            : ownsSlots
              ? ['It owns slots: do not forget it before its slots are served elsewhere.']
              : [
                  'Forget it on every node within 60 s (a forgotten node is re-learned from any node that still knows it):',
                  ...observers.slice(0, 12).map((o) => cli(o, 'CLUSTER', 'FORGET', node.id)),
                ],
        ...(kind === 'handshake' || ownsSlots ? {} : { remedy: 'forget-ghost-node' }),
      });
    }
    return findings;
  },
});

function ghostKind(view: ClusterView, node: NodeFacts): GhostKind | undefined {
  // Asked of every node: its distinct lines answer as all its sightings would.
  const lines = view.linesOf(node.id).filter((e) => !e.myself);
  if (lines.length === 0) return undefined;
  if (lines.some((e) => e.handshake)) return 'handshake';
  if (lines.some((e) => e.noaddr || (e.ip === '' && !e.hostname))) return 'noaddr';
  if (node.observation?.reachable) return undefined;
  if (!view.failedByMajority(node.id)) return undefined;
  if (lines.some((e) => e.linkState === 'connected' || e.slots.length > 0)) return undefined;
  return silentForMs(view, node) > GHOST_SILENCE_NODE_TIMEOUTS * nodeTimeoutMs(view) ? 'dead' : undefined;
}

/** Longest any observer has gone without a pong from the node, by that observer's own clock. */
function silentForMs(view: ClusterView, node: NodeFacts): number {
  let silent = 0;
  for (const { observer, pongRecv } of view.sightings(node.id))
    silent = Math.max(silent, clockMs(view, observer) - pongRecv);
  return silent;
}

function clockMs(view: ClusterView, observer: NodeObservation): number {
  const usec = observer.info ? infoNumber(observer.info, 'server', 'server_time_usec') : undefined;
  return usec !== undefined ? Math.floor(usec / 1000) : Date.parse(view.snapshot.takenAt);
}

function nodeTimeoutMs(view: ClusterView): number {
  const values = view.observers
    .map((o) => Number(o.observation.config?.['cluster-node-timeout']))
    .filter((n) => Number.isFinite(n) && n > 0);
  return values.length > 0 ? Math.max(...values) : DEFAULT_NODE_TIMEOUT_MS;
}

function describe(kind: GhostKind, node: NodeFacts): string {
  const id = node.id.slice(0, 8);
  switch (kind) {
    case 'handshake':
      return `handshake with ${node.address} (temporary id ${id}) has not completed`;
    case 'noaddr':
      return `node ${id} has no address (noaddr): a ghost in the node table`;
    case 'dead':
      return `dead node ${node.address} (${id}) was never forgotten: failed, silent and slotless`;
  }
}
