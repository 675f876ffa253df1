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

export interface CheckMeta {
  id: string;
  /** Default severity; a check may lower it for a sub-case (and says so in its doc). */
  severity: Severity;
  title: string;
}

export interface Check extends CheckMeta {
  run: (snapshot: Snapshot) => Finding[];
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
