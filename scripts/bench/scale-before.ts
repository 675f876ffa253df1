/**
 * `check` before issue 24's work (commit 841052d), measured on this machine on 2026-12-06 by the
 * method of the scale section (a whole `node bin/cluster-doctor.js check SEED --json` under
 * `/usr/bin/time -v`, beside `redis-cli --cluster check` on the same fake nodes), at a 1-minute load
 * of 4 to 11 (other engineers' tests). Medians of `runs` runs. At 1000 nodes only runs that reached
 * every node are counted: at the default timeout 177 to 823 of the 1000 healthy nodes were reported
 * unreachable in 3 of 5 runs, and still 228 and 468 with `--timeout-ms 60000` in 2 of 6.
 * Recorded, not measured again: the bench cannot run the old code.
 */
export const BEFORE: readonly {
  nodes: number;
  doctorMs: number;
  rssMiB: number;
  redisCliMs: number;
  runs: number;
}[] = [
  { nodes: 100, doctorMs: 473, rssMiB: 96, redisCliMs: 54, runs: 6 },
  { nodes: 200, doctorMs: 812, rssMiB: 140, redisCliMs: 142, runs: 3 },
  { nodes: 300, doctorMs: 1766, rssMiB: 200, redisCliMs: 237, runs: 6 },
  { nodes: 500, doctorMs: 3330, rssMiB: 382, redisCliMs: 456, runs: 3 },
  { nodes: 1000, doctorMs: 8145, rssMiB: 1238, redisCliMs: 1256, runs: 6 },
];

/** The top of the CPU profile of that 1000-node check (share of 9.8 s of samples, with callees). */
export const BEFORE_PROFILE: readonly [string, number][] = [
  ['parseClusterNodes, parseLine and its helpers (lib/topology/cluster-nodes.ts)', 29.6],
  ['garbage collector', 29.2],
  ['ClusterView: a map of every observer per node (seenBy), cutSegments (lib/model/view.ts)', 13.7],
  ['failVotes, per node, by several checks (lib/model/view.ts)', 4.8],
  ['slotsThatMatter, a text key per entry (lib/observe/key-counts.ts)', 2.2],
];
