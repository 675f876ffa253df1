import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../lib/checks/run';
import { topologyParseError } from '../../../lib/checks/topology-parse-error';
import { nodesText, observationFrom, snapshotOf } from './build';

const spec = {
  nodes: [
    { name: 'a', port: 7000, slots: '0-8191', epoch: 1 },
    { name: 'b', port: 7001, slots: '8192-16383', epoch: 2 },
  ],
};

describe('topology-parse-error', () => {
  it('names the node, the offending lines (cut to 200 characters) and why', () => {
    const garbage = `this is not a cluster nodes line ${'x'.repeat(300)}`;
    const badToken = `${nodesText(spec, 'a').split('\n')[1]} 9000-zzz`;
    const text = [nodesText(spec, 'a').split('\n')[0], badToken, garbage].join('\n');
    const snapshot = snapshotOf([
      observationFrom('127.0.0.1:7000', text),
      observationFrom('127.0.0.1:7001', nodesText(spec, 'b')),
    ]);
    const [finding] = topologyParseError.run(snapshot);
    expect(finding?.severity).toBe('warning');
    expect(finding?.nodes).toEqual(['127.0.0.1:7000']);
    const problems = finding?.evidence.problems as { line: string; reason: string }[];
    expect(problems).toHaveLength(2);
    expect(problems[0]?.reason).toContain('slot token "9000-zzz"');
    expect(problems[1]?.line).toBe(`${garbage.slice(0, 200)}…`);
    expect(problems[1]?.reason).toContain('node id');
    expect(finding?.summary).toContain('2 unreadable');
    expect(finding?.runbook?.[0]).toBe('redis-cli -h 127.0.0.1 -p 7000 CLUSTER NODES');
  });

  it('is silent when every line parsed, and the report still runs on garbage-only output', () => {
    const clean = snapshotOf([observationFrom('127.0.0.1:7000', nodesText(spec, 'a'))]);
    expect(topologyParseError.run(clean)).toEqual([]);
    const onlyGarbage = snapshotOf([observationFrom('127.0.0.1:7000', 'garbage\n\u0000\u0001 more garbage')]);
    const ids = runChecks(onlyGarbage).map((f) => f.id);
    expect(ids).toContain('topology-parse-error');
    expect(ids).not.toContain('check-crashed');
  });
});
