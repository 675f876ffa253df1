import type { Severity } from '../checks/types';

/** What one open problem looked like when it was last notified. */
export interface OpenProblem {
  id: string;
  severity: Severity;
  summary: string;
  firstSeen: string;
  lastSeen: string;
}

/** What scheduled runs of one cluster remember between runs. */
export interface ClusterState {
  /** fingerprint -> open problem already notified. */
  open: Record<string, OpenProblem>;
  /** Whether the last run could observe the cluster at all (checker-error is sent once per outage). */
  lastStatus?: string;
  lastRunAt?: string;
  lastDigestAt?: string;
}

export const emptyState = (): ClusterState => ({ open: {} });

export interface StateStore {
  load(cluster: string): Promise<ClusterState>;
  save(cluster: string, state: ClusterState): Promise<void>;
}
