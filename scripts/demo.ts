/**
 * The throwaway-cluster demo. For now it shows the harness at work: a real 3x1 cluster formed,
 * loaded, broken by an uncovered slot range, and stopped. The check and fix steps join it as the
 * engines land.
 */
import { Faults, keyLedger, loadKeys, TestCluster } from '../lib/harness';

async function main(): Promise<void> {
  const t0 = performance.now();
  const step = (text: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}`);
  step('starting a 3 masters x 1 replica cluster on free loopback ports');
  const cluster = await TestCluster.start({ masters: 3, replicasPerMaster: 1 });
  try {
    step(`cluster formed: ${cluster.seeds.join(' ')}`);
    await loadKeys(cluster, 10_000);
    step(`loaded ${(await keyLedger(cluster)).total} keys`);
    await new Faults(cluster).delSlots(0, 99);
    const info = String(await cluster.nodes[0]?.process.command('CLUSTER', 'INFO'));
    step(`slots 0-99 removed from every node: ${info.match(/cluster_state:\w+/)?.[0]}`);
  } finally {
    await cluster.stop();
    step('every redis-server the demo started is stopped');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
