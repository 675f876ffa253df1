/**
 * The memory setting of a placement's check function, from the largest cluster it checks
 * (`expectedNodes` in the config; a cluster that does not say counts as up to 200 nodes).
 *
 * Measured (docs/bench.md, "Scale"): a whole check peaks at about 71 MiB RSS at 100 nodes, 116 MiB at
 * 300 and 220 MiB at 1000, and spends about 0.4 s, 0.8 s and 2 s of CPU. Lambda's Node runtime caps
 * the heap at 90% of the setting (`--max-old-space-size`, 461 MB at 512 MB), so 512 MB holds even
 * 1000 nodes; what grows is CPU, which Lambda gives in proportion to memory (1769 MB is one vCPU). The
 * steps keep a check's CPU within about a third of the default 10 s observation deadline.
 */
export const CHECK_MEMORY_STEPS: readonly { upToNodes: number; memoryMb: number }[] = [
  { upToNodes: 200, memoryMb: 512 },
  { upToNodes: 500, memoryMb: 1024 },
  { upToNodes: 1000, memoryMb: 1769 },
  { upToNodes: 2000, memoryMb: 3008 },
];

/** The node count assumed for a cluster whose `expectedNodes` is not given. */
export const DEFAULT_EXPECTED_NODES = 200;

/** Most nodes a cluster may declare: Redis Cluster is designed for 1000, Valkey for more. */
export const MAX_EXPECTED_NODES = 2000;

/**
 * Memory (MB) for a check function whose clusters expect these node counts: the step covering the
 * largest of them.
 *
 * @example checkMemoryMb([{ expectedNodes: 1000 }, {}]) // 1769
 */
export function checkMemoryMb(clusters: readonly { expectedNodes?: number }[]): number {
  const largest = Math.max(DEFAULT_EXPECTED_NODES, ...clusters.map((c) => c.expectedNodes ?? 0));
  const step = CHECK_MEMORY_STEPS.find((s) => largest <= s.upToNodes);
  return (step ?? (CHECK_MEMORY_STEPS[CHECK_MEMORY_STEPS.length - 1] as { memoryMb: number })).memoryMb;
}
