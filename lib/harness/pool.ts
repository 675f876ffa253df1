import { RedisProcess, type RedisProcessOptions } from './redis-process';

/**
 * Servers started ahead of need. A cluster node turns `cluster_state:ok` no sooner than 2 s after
 * its process started (Redis's CLUSTER_WRITABLE_DELAY), which made that delay the floor of every
 * test's cluster; nodes taken from here have usually waited it out already, while the previous test
 * ran. On only where the environment asks (`CLUSTER_DOCTOR_POOL=1`, set by the test config), never
 * for the demo or the bench, and emptied after each test file (test/support/pool.ts).
 */
const idle = new Map<string, Promise<RedisProcess | undefined>[]>();

export const POOL_ENV = 'CLUSTER_DOCTOR_POOL';

/** Options a pooled process can serve: nothing per cluster (no TLS certificates of its own). */
function keyOf(options: RedisProcessOptions): string | undefined {
  if (process.env[POOL_ENV] !== '1' || options.tls) return undefined;
  return JSON.stringify([
    options.server?.label,
    options.password,
    options.nodeTimeoutMs,
    options.extraArgs ?? [],
  ]);
}

/** `count` servers with `options`: pooled ones first, new ones for the rest; then refills the pool. */
export function startProcesses(options: RedisProcessOptions, count: number): Promise<RedisProcess>[] {
  const key = keyOf(options);
  if (key === undefined) return Array.from({ length: count }, () => RedisProcess.start(options));
  const list = idle.get(key) ?? [];
  const taken = list.splice(0, count).map((p) => p.then((node) => node ?? RedisProcess.start(options)));
  while (taken.length < count) taken.push(RedisProcess.start(options));
  while (list.length < count) list.push(RedisProcess.start(options).catch(() => undefined));
  idle.set(key, list);
  return taken;
}

/** Stops every idle server of the pool. */
export async function drainPool(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map(async (p) => (await p)?.stop()));
}
