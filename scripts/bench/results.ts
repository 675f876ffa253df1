import type { BundleResults } from './bundle-bench';
import type { SizeResult } from './check-bench';
import type { FixRun } from './fix-bench';
import type { LoadSummary, Machine } from './machine';
import type { ScaleResults } from './scale-bench';

/** What one bench run measured, with the settings it ran with: what every report section reads. */
export interface BenchSettings {
  runs: number;
  fixRuns: number;
  sizes: number[];
  /** The cluster whose whole `check` process is measured for peak memory (goal (f) names 100 nodes). */
  memoryNodes: number;
  latencySizes: number[];
  delayMs: number;
  keys: number;
  fixKeys: number;
  /** Keys already on the importing side, one fix scenario each. */
  fixPremoved: number[];
  settleMs: number;
  /** Fake cluster sizes of the scale section, and the real cluster beside them (0: none). */
  scaleSizes: number[];
  scaleReal: number;
  argv: string[];
}

export interface BenchResults {
  startedAt: Date;
  totalMs: number;
  machine: Machine;
  load: LoadSummary;
  settings: BenchSettings;
  checks: SizeResult[];
  fixes: FixRun[];
  bundles?: BundleResults;
  scale?: ScaleResults;
}
