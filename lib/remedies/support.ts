import type { ClusterView } from '../model/view';
import type { Executor } from './executor';

/** Addresses of reachable masters (by their own word), sorted. */
export function reachableMasters(view: ClusterView): string[] {
  return view.observers
    .filter((o) => o.self.role === 'master')
    .map((o) => o.observation.address)
    .sort();
}

/** Is the node with this id reachable by the checker? */
export function reachable(view: ClusterView, id: string): boolean {
  return view.nodes.get(id)?.observation?.reachable === true;
}

/** The address a node announces to the cluster (what MIGRATE on another node must dial), from `from`'s view. */
export function internalAddress(
  view: ClusterView,
  id: string,
  fromId: string,
): { host: string; port: number } | undefined {
  const from = view.nodes.get(fromId)?.observation;
  const entry = from?.clusterNodes?.find((e) => e.id === id) ?? view.nodes.get(id)?.self;
  const host = entry?.ip || entry?.hostname;
  return entry && host ? { host, port: entry.port } : undefined;
}

/** Masters (addresses) whose own view gives `slot` to someone other than `owner`. */
export function mastersDisagreeing(view: ClusterView, slot: number, owner: string): string[] {
  return view.observers
    .filter((o) => o.self.role === 'master' && view.ownerIn(o.observation, slot) !== owner)
    .map((o) => o.observation.address);
}

/**
 * Addresses of reachable masters whose key count of any of `slots` was not taken (the count failed):
 * "no keys" must be observed, never assumed.
 */
export function mastersWithoutCounts(view: ClusterView, slots: number[]): string[] {
  return view.observers
    .filter(
      (o) =>
        o.self.role === 'master' && slots.some((s) => o.observation.slotKeyCounts?.[String(s)] === undefined),
    )
    .map((o) => o.observation.address);
}

/** MIGRATE's AUTH/AUTH2 arguments for the executor's credentials. */
export function migrateAuth(exec: Executor): string[] {
  const { username, password } = exec.connection;
  if (!password) return [];
  return username ? ['AUTH2', username, password] : ['AUTH', password];
}
