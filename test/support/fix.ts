import { expect } from 'vitest';
import { type HarnessNode, keyLedger, sleep, type TestCluster } from '../../lib/harness';
import type { FixResult } from '../../lib/remediate/fix';
import { tagForSlot } from '../../lib/topology/keyslot';
import { SLOT_COUNT } from '../../lib/topology/types';
import { cli } from './cli';

const PASSWORD_VAR = 'CLUSTER_DOCTOR_TEST_PASSWORD';

/** `cluster-doctor fix SEED ...` in-process, with the cluster's password from the environment. */
export async function fix(
  cluster: TestCluster,
  args: string[],
): Promise<{ status: number; result: FixResult; stderr: string }> {
  const password = cluster.options.password;
  const argv = ['fix', cluster.seeds[0] as string, '--json', ...args];
  if (password) argv.push('--password-env', PASSWORD_VAR);
  if (cluster.certificates) argv.push('--tls-ca', cluster.certificates.caFile);
  const run = await cli(argv, password ? { [PASSWORD_VAR]: password } : {});
  let result: FixResult;
  try {
    result = JSON.parse(run.stdout) as FixResult;
  } catch {
    throw new Error(`fix printed no JSON (exit ${run.status}): ${run.stdout}\n${run.stderr}`);
  }
  return { status: run.status, result, stderr: run.stderr };
}

/**
 * A client writing new keys into one slot owned by `owner`, as applications keep doing while a
 * remedy runs. Writes the cluster refuses (CLUSTERDOWN while slots are uncovered) are not counted;
 * `stop()` returns how many writes were acknowledged, each a distinct key.
 */
export function startWriter(owner: HarnessNode, slot: number): { stop: () => Promise<number> } {
  const client = owner.process.redis();
  const tag = tagForSlot(slot);
  let attempts = 0;
  let written = 0;
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const pipeline = client.pipeline();
      for (let i = 0; i < 50; i++) pipeline.set(`${tag}:writer:${attempts++}`, 'w');
      for (const [error] of (await pipeline.exec()) ?? []) {
        if (!error) written++;
        else if (!/^CLUSTERDOWN/.test(error.message)) throw error;
      }
      await sleep(5);
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    stop: async () => {
      running = false;
      await loop;
      if (failure) throw failure;
      return written;
    },
  };
}

/** Every live node says `cluster_state:ok`, and none still has a slot open. */
export async function expectOkEverywhere(cluster: TestCluster): Promise<void> {
  for (const node of cluster.nodes.filter((n) => n.process.alive)) {
    const info = String(await node.process.command('CLUSTER', 'INFO'));
    expect(info, node.address).toContain('cluster_state:ok');
    const nodes = String(await node.process.command('CLUSTER', 'NODES'));
    expect(nodes, node.address).not.toMatch(/\[\d+-[<>]-/);
  }
}

/** The ledger after equals the ledger before, plus what the writer added to its own slot. */
export async function expectNoKeyLost(
  cluster: TestCluster,
  before: Awaited<ReturnType<typeof keyLedger>>,
  writer?: { slot: number; written: number },
): Promise<void> {
  const after = await keyLedger(cluster);
  const expected = new Map(before.perSlot);
  if (writer && writer.written > 0)
    expected.set(writer.slot, (expected.get(writer.slot) ?? 0) + writer.written);
  expect(after.perSlot).toEqual(expected);
  expect(after.total).toBe(before.total + (writer?.written ?? 0));
}

/**
 * Every live node, replicas included, gives every slot to a master, and all give each slot to the
 * same one. Replicas learn a finalised owner by gossip after the masters (which `fix` verifies), so
 * this waits for that, and fails naming the first slot where two nodes differ.
 */
export async function expectOneSlotMap(cluster: TestCluster): Promise<void> {
  let seen = '';
  await cluster
    .waitFor('every live node gives every slot to the same owner', async () => {
      const live = cluster.nodes.filter((n) => n.process.alive);
      const tables = await Promise.all(live.map((n) => cluster.slotOwners(n)));
      for (let slot = 0; slot < SLOT_COUNT; slot++) {
        const owners = tables.map((t) => t[slot]);
        if (owners.some((o) => o === undefined || o !== owners[0])) {
          seen = `slot ${slot}: ${live.map((n, i) => `${n.address} says ${owners[i]?.address ?? 'none'}`).join(', ')}`;
          return false;
        }
      }
      return true;
    })
    .catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${seen}`);
    });
}
