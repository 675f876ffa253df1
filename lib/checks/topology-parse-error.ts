import { cli } from '../model/runbook';
import { defineCheck } from './define';

/** Offending lines are cut to this many characters. */
const MAX_LINE = 200;
const MAX_PROBLEMS = 20;

/**
 * A node's `CLUSTER NODES` output had lines or tokens the parser could not read: those nodes or
 * slots are missing from every other check's picture, so their silence proves less.
 */
export const topologyParseError = defineCheck({
  id: 'topology-parse-error',
  severity: 'warning',
  title: 'Unreadable CLUSTER NODES output',
  check(view) {
    return view.snapshot.nodes
      .filter((o) => (o.parseProblems?.length ?? 0) > 0)
      .map((o) => {
        const problems = o.parseProblems ?? [];
        return {
          summary: `${problems.length} unreadable line(s)/token(s) in CLUSTER NODES of ${o.address}${o.id ? ` (${o.id.slice(0, 8)})` : ''}: ${problems[0]?.reason ?? ''}`,
          nodes: [o.address],
          evidence: {
            address: o.address,
            nodeId: o.id ?? null,
            problems: problems.slice(0, MAX_PROBLEMS).map((p) => ({
              line: p.line.length > MAX_LINE ? `${p.line.slice(0, MAX_LINE)}…` : p.line,
              reason: p.reason,
            })),
            moreProblems: Math.max(0, problems.length - MAX_PROBLEMS),
          },
          runbook: [
            cli(o.address, 'CLUSTER', 'NODES'),
            'The lines listed were ignored: the other findings may miss the nodes or slots they describe. Keep the raw output (--snapshot-out) and report it.',
          ],
        };
      });
  },
});
