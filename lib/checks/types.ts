import type { ClusterView } from '../model/view';
import type { Snapshot } from '../observe/types';
import type { SlotRange } from '../topology/types';

export type Severity = 'critical' | 'warning' | 'info';

/** DESIGN §3: relied upon by users' scripts. */
export interface Finding {
  id: string;
  severity: Severity;
  summary: string;
  slots?: SlotRange[];
  nodes?: string[];
  evidence: Record<string, unknown>;
  runbook?: string[];
  remedy?: string;
}

/** What a check returns: a finding without its id, which the runner stamps (cdk-nag's applyRule). */
export interface FindingDraft extends Omit<Finding, 'id' | 'severity'> {
  /** Unset: the check's default. Set only to lower it for a sub-case (the check's doc says which). */
  severity?: Severity;
}

export interface CheckMeta {
  id: string;
  /** Default severity; a check may lower it for a sub-case (and says so in its doc). */
  severity: Severity;
  title: string;
}

export interface CheckDefinition extends CheckMeta {
  /** Pure: what this check finds in the view the runner built once for every check. */
  check(view: ClusterView): FindingDraft[];
}

export interface Check extends CheckDefinition {
  /** This check alone on a snapshot, stamped as the runner stamps it. */
  run(snapshot: Snapshot): Finding[];
}

export type ReportStatus = 'ok' | 'warning' | 'critical' | 'unknown';

export interface Report {
  cluster: string;
  checkedAt: string;
  durationMs: number;
  nodes: {
    address: string;
    id?: string;
    role?: string;
    reachable: boolean;
    /** e.g. `redis 7.0.15`, `valkey 8.0.1`, from the node's `INFO server`. */
    server?: string;
    error?: string;
  }[];
  findings: Finding[];
  status: ReportStatus;
}
