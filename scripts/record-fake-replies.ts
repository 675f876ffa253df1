/**
 * Records the replies of a real cluster node that the fake cluster (lib/harness/fake) copies: the
 * `INFO` sections of a master and of a replica (and `INFO` whole), `CLUSTER INFO`, the `CONFIG GET`s the observation
 * sends and the error texts of unknown commands. Starts a 3×1 cluster with lib/harness, writes
 * lib/harness/fake/recorded.ts and stops every server it started.
 *
 *   npx tsx scripts/record-fake-replies.ts [--server DIR]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serverAt, TestCluster } from '../lib/harness';

const { values } = parseArgs({ options: { server: { type: 'string' } } });
const OUT = join(__dirname, '..', 'lib', 'harness', 'fake', 'recorded.ts');

async function errorText(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error reply');
}

async function main(): Promise<void> {
  const cluster = await TestCluster.start({
    masters: 3,
    replicasPerMaster: 1,
    server: values.server ? serverAt(values.server) : undefined,
  });
  try {
    const master = cluster.nodes[0]?.process;
    const replica = cluster.nodes[3]?.process;
    if (!master || !replica) throw new Error('no nodes');
    // Each section the observation asks for, and `INFO` with no argument (redis-cli reads its Cluster
    // section): every default section, in order.
    const info = async (p: typeof master) => ({
      ...Object.fromEntries(
        await Promise.all(
          ['server', 'replication', 'memory', 'keyspace'].map(async (s) => [
            s,
            String(await p.command('INFO', s)),
          ]),
        ),
      ),
      default: String(await p.command('INFO')),
    });
    const recorded = {
      server: String(await master.command('INFO', 'server')).match(/redis_version:(\S+)/)?.[1],
      master: { info: await info(master), clusterInfo: String(await master.command('CLUSTER', 'INFO')) },
      replica: { info: await info(replica), clusterInfo: String(await replica.command('CLUSTER', 'INFO')) },
      config: {
        'cluster-*': (await master.command('CONFIG', 'GET', 'cluster-*')) as string[],
        'maxmemory*': (await master.command('CONFIG', 'GET', 'maxmemory*')) as string[],
      },
      errors: {
        unknownCommand: await errorText(() => master.command('FOO', 'bar')),
        unknownSubcommand: await errorText(() => master.command('CLUSTER', 'FOO')),
      },
    };
    writeFileSync(
      OUT,
      `/**
 * Replies of a real ${cluster.server.label} node in a 3×1 cluster, recorded by
 * scripts/record-fake-replies.ts: the fake cluster copies their fields, in their order, and replaces
 * only what differs per node (ids, ports, times, offsets).
 */
export const RECORDED = ${JSON.stringify(recorded, null, 2)} as const;
`,
    );
    execFileSync('npx', ['biome', 'format', '--write', OUT], { stdio: 'inherit' });
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
