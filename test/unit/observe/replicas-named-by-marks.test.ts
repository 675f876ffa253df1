import { describe, expect, it } from 'vitest';
import { replicasNamedByMarks } from '../../../lib/observe/key-counts';
import { buildSnapshot, type ClusterSpec, healthySpec, nodeId } from '../checks/build';

/** healthySpec() with b demoted to a replica of e (its replica, promoted), and marks on a's own line. */
function spec(marks: string, unreachable: string[] = []): ClusterSpec {
  const nodes = healthySpec().nodes.map((n) =>
    n.name === 'b'
      ? { name: 'b', port: n.port, replicaOf: 'e' }
      : n.name === 'e'
        ? { name: 'e', port: n.port, slots: '5461-10921', epoch: 7 }
        : n,
  );
  return { nodes, views: { a: { a: { slots: `0-5460 ${marks}` } } }, unreachable };
}

describe('replicasNamedByMarks: whose keys a demoted node of a move holds is counted', () => {
  it('a replica a master migrates to or imports from, with the slots the marks name', () => {
    const marks = `[300->-${nodeId('b')}] [301->-${nodeId('b')}] [302-<-${nodeId('c')}]`;
    const named = replicasNamedByMarks(buildSnapshot(spec(marks)).nodes);
    expect([...named]).toEqual([[nodeId('b'), [300, 301]]]);
  });

  it('no replica named (a master named, or no mark): nothing to count', () => {
    expect(replicasNamedByMarks(buildSnapshot(spec(`[300->-${nodeId('e')}]`)).nodes).size).toBe(0);
    expect(replicasNamedByMarks(buildSnapshot(healthySpec()).nodes).size).toBe(0);
  });

  it('a named replica the checker cannot reach is not asked', () => {
    const named = replicasNamedByMarks(buildSnapshot(spec(`[300->-${nodeId('b')}]`, ['b'])).nodes);
    expect(named.size).toBe(0);
  });
});
