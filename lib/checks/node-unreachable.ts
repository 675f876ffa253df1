import { cli } from '../model/runbook';
import { defineCheck } from './define';

/** The checker could not talk to a node the cluster knows (or a seed it was given). */
export const nodeUnreachable = defineCheck({
  id: 'node-unreachable',
  severity: 'warning',
  title: 'Node not reachable from the checker',
  check(view) {
    return view.snapshot.nodes
      .filter((o) => !o.reachable || (o.error && !o.clusterInfo))
      .map((o) => ({
        summary: `${o.address}${o.id ? ` (${o.id.slice(0, 8)})` : ''} could not be observed: ${o.error?.message ?? 'no answer'}`,
        nodes: [o.address],
        evidence: { address: o.address, nodeId: o.id ?? null, error: o.error ?? null },
        runbook: [
          cli(o.address, 'PING'),
          o.error?.kind === 'auth'
            ? 'Check the user/password the checker uses (secret or --password-env).'
            : o.error?.kind === 'tls'
              ? 'Check TLS: --tls, the CA (--tls-ca), and the name the node announces.'
              : 'Is the process up? Is the host reachable from the checker (security groups, NAT address map)?',
        ],
      }));
  },
});
