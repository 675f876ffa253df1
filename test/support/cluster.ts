import { type ClusterOptions, Faults, TestCluster } from '../../lib/harness';

/** Runs `body` on a fresh harness cluster and stops every process of it afterwards, pass or fail. */
export async function withCluster<T>(
  options: ClusterOptions,
  body: (cluster: TestCluster, faults: Faults) => Promise<T>,
): Promise<T> {
  const cluster = await TestCluster.start(options);
  try {
    return await body(cluster, new Faults(cluster));
  } finally {
    await cluster.stop();
  }
}
