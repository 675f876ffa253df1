import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { viewSummaryCommand } from '../../../lib/observe/view-summary';
import { ViewBook } from '../../../lib/observe/views';
import { withNodeClient } from '../../support/client';
import { withCluster } from '../../support/cluster';

type Reply = [Error | null, unknown];

/**
 * Views summarized on the nodes (lib/observe/view-summary.ts) must rebuild, line for line, what the
 * node's own CLUSTER NODES says, on every server: each node is asked both in one pipeline, and the
 * rebuilt view holds the same lines (the same shared objects, but for the node's own line, equal) with
 * the same clock.
 */
function askBoth(node: HarnessNode, known: string): Promise<{ whole: Reply; summary: Reply }> {
  return withNodeClient(node.address, async (client) => {
    const pipeline = client.pipeline();
    pipeline.callBuffer('CLUSTER', 'NODES');
    pipeline.call(...viewSummaryCommand(known));
    const [whole, summary] = ((await pipeline.exec()) ?? []) as Reply[];
    return { whole: whole as Reply, summary: summary as Reply };
  });
}

describe('views summarized on the nodes', () => {
  it('rebuild every node view as its CLUSTER NODES says it, own line and migration marks included', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(300, a, b);
      const book = new ViewBook();
      const noWhole = () => Promise.reject(new Error('asked for the whole view'));
      // The first node as a seed: the whole view, and the normalized one learnt.
      const first = cluster.nodes[0] as HarnessNode;
      const seed = await askBoth(first, '');
      await book.read(book.questions(true), [seed.whole, seed.summary], noWhole);
      const known = String((seed.summary[1] as unknown[])[0]);
      for (const node of cluster.nodes.slice(1)) {
        const { whole, summary } = await askBoth(node, known);
        const raw = await book.read({ whole: true }, [whole], noWhole);
        const rebuilt = await book.read(
          { whole: false, summary: viewSummaryCommand(known) },
          [summary],
          noWhole,
        );
        expect(rebuilt.problems).toEqual([]);
        expect(rebuilt.lines).toHaveLength(raw.lines.length);
        expect(new Set(rebuilt.lines)).toEqual(new Set(raw.lines));
        // The same shared objects, but for the node's own line: printed by no other view, not shared.
        const shared = new Set(raw.lines);
        expect(rebuilt.lines.filter((l) => !shared.has(l)).map((l) => l.myself)).toEqual([true]);
        const own = rebuilt.lines.find((l) => l.myself);
        expect(own?.id).toBe(node.id);
        if (node === a) expect(own?.migrating).toEqual([{ slot: 300, target: b.id }]);
        if (node === b) expect(own?.importing).toEqual([{ slot: 300, source: a.id }]);
        // The clock of each line: the same (pongs may have moved between the two commands).
        expect(rebuilt.times.pingSent).toHaveLength(raw.lines.length);
        raw.lines.forEach((line, i) => {
          const j = rebuilt.lines.findIndex((l) => l.id === line.id);
          expect(rebuilt.lines[j]).toEqual(line);
          expect(Math.abs((rebuilt.times.pongRecv[j] ?? 0) - (raw.times.pongRecv[i] ?? 0))).toBeLessThan(
            5000,
          );
        });
      }
    });
  });
});
