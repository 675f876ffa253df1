import { join } from 'node:path';
import { TestCluster } from '../../lib/harness';

/** The repository root, whatever the working directory. */
export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'cluster-doctor.js');

interface Stoppable {
  stop(): Promise<void>;
}

const live = new Set<Stoppable>();

/**
 * Runs `fn` with a started resource and stops it afterwards, whatever happens. Until then the
 * resource is listed, so `stopEverything` (on SIGINT) can stop it too.
 */
export async function using<T extends Stoppable, R>(
  resource: Promise<T>,
  fn: (r: T) => Promise<R>,
): Promise<R> {
  const r = await resource;
  live.add(r);
  try {
    return await fn(r);
  } finally {
    live.delete(r);
    await r.stop();
  }
}

export async function stopEverything(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.allSettled(all.map((r) => r.stop()));
}

/** A cluster of `nodes` nodes: `nodes / 2` masters with one replica each. */
export function startCluster(nodes: number): Promise<TestCluster> {
  if (nodes < 6 || nodes % 2 !== 0) throw new RangeError(`${nodes} nodes: give an even number, at least 6`);
  // A hundred nodes sharing two cores with the bench miss the default 2 s node timeout now and then.
  return TestCluster.start({
    masters: nodes / 2,
    replicasPerMaster: 1,
    nodeTimeoutMs: nodes > 40 ? 5000 : undefined,
  });
}
