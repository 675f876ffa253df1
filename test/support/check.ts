import { buildReport } from '../../lib/checks/run';
import type { Finding, Report } from '../../lib/checks/types';
import type { TestCluster } from '../../lib/harness';
import { type ObserveOptions, observeCluster } from '../../lib/observe';

/** Observes a harness cluster (with its password/CA) and runs every check: what `cluster-doctor check` does. */
export async function checkCluster(cluster: TestCluster, options: ObserveOptions = {}): Promise<Report> {
  const snapshot = await observeCluster(cluster.seeds.slice(0, 1), {
    password: cluster.options.password,
    tls: cluster.certificates ? { ca: cluster.certificates.ca } : undefined,
    ...options,
  });
  return buildReport(snapshot);
}

export const findingsWith = (report: Report, id: string): Finding[] =>
  report.findings.filter((f) => f.id === id);

/** Polls a check until `predicate` holds for its report (gossip takes a moment to spread). */
export async function checkUntil(
  cluster: TestCluster,
  predicate: (report: Report) => boolean,
  options: ObserveOptions = {},
  timeoutMs = 20_000,
): Promise<Report> {
  let last: Report | undefined;
  await cluster.waitFor(
    'a report that matches',
    async () => {
      last = await checkCluster(cluster, options);
      return predicate(last);
    },
    timeoutMs,
  );
  return last as Report;
}
