import { stripVTControlCharacters } from 'node:util';
import {
  Faults,
  type HarnessNode,
  keyLedger,
  keysInSlot,
  loadKeys,
  type TestCluster,
  writeKeys,
} from '../../lib/harness';
import type { FixResult, TimedStep } from '../../lib/remediate/fix';
import { keySlot } from '../../lib/topology/keyslot';
import { BenchError, timeProcess } from './measure';
import { CLI, startCluster, using } from './resources';

export type FixTool = 'cluster-doctor' | 'redis-cli';

/** A slot of the first master (0-5460 on a 3-master cluster), left half-moved to the second. */
export const STUCK_SLOT = 4242;

export interface FixBenchOptions {
  /** Keys in the stuck slot, before any is moved. */
  slotKeys: number;
  /** Keys moved to the importing side before the "reshard dies". */
  premoved: number;
  /** Keys spread over every other slot, so the ledger covers the whole cluster. */
  spreadKeys: number;
  settleMs: number;
  log: (line: string) => void;
}

export type SlotOwner = 'importing side' | 'migrating side' | 'no single owner';

/** One fix of one freshly prepared cluster. */
export interface FixRun {
  tool: FixTool;
  premoved: number;
  wallMs: number;
  exitCode: number;
  /** The persistence guard's wait inside `wallMs` (0 for redis-cli, which has none). */
  settleMs: number;
  /** cluster-doctor's own duration of the action: re-observe, migrate, finalise, verify. */
  actionMs?: number;
  /** Keys that changed sides, counted on the migrating side before and after. */
  moved: number;
  /** What cluster-doctor's JSON says it moved. */
  reportedMoved?: number;
  ledgerBefore: number;
  ledgerAfter: number;
  /** Who owns the slot afterwards in every node's view, and whether any node still has it open. */
  owner: SlotOwner;
  slotClosed: boolean;
  /** Every node says `cluster_state:ok`. */
  stateOk: boolean;
  /**
   * ms after exit until every node said `cluster_state:ok`, had the slot closed and agreed on its
   * owner (0: already at exit); undefined when that did not happen within 10 s.
   */
  settledAfterMs?: number;
  /** What the tool said it did: sub-case and status, or redis-cli's `>>>` lines. */
  said: string[];
  /** cluster-doctor's progress lines on stderr (goal g): how many, and the last one. */
  progressLines?: number;
  lastProgress?: string;
  /**
   * The physical limit (goal e): keys/s the importing side could RESTORE, from its own time per
   * RESTORE-ASKING during a cluster-doctor fix (see `restoreRate`).
   */
  restoreKeysPerSec?: number;
  /**
   * The limit MIGRATE itself sets: keys moved per second of the migrating side's own time inside
   * MIGRATE (`INFO commandstats`). MIGRATE blocks that node until the target has answered every key,
   * and it runs one at a time, so no client moves a slot faster than this.
   */
  migrateKeysPerSec?: number;
  /** cluster-doctor's own timeline of the run (observations, settle wait, the action's steps, report). */
  timeline?: TimedStep[];
}

/**
 * Prepares a 3x1 cluster with `slotKeys` keys in one slot, opened migrating on its owner and
 * importing on another master with `premoved` keys already moved (an interrupted reshard), then
 * times one tool fixing it and checks that every key is still there.
 */
export function benchFixOnce(tool: FixTool, options: FixBenchOptions): Promise<FixRun> {
  return using(startCluster(6), async (cluster) => {
    const { source, target } = await prepareStuckSlot(cluster, options);
    const before = await keyLedger(cluster);
    const onSourceBefore = await countInSlot(source);
    const seed = source.address;
    // Counts only the fix's MIGRATEs and RESTOREs, not the preparation's.
    await target.process.command('CONFIG', 'RESETSTAT');
    await source.process.command('CONFIG', 'RESETSTAT');
    const run =
      tool === 'cluster-doctor'
        ? await timeProcess(process.execPath, [
            CLI,
            'fix',
            seed,
            '--yes',
            '--settle-ms',
            String(options.settleMs),
            '--json',
          ])
        : await timeProcess('redis-cli', ['--cluster', 'fix', seed, '--cluster-yes']);
    const settledAfterMs = await waitSettled(cluster);
    const after = await keyLedger(cluster);
    const state = await slotState(cluster);
    const moved = Math.abs(onSourceBefore - (await countInSlot(source)));
    let actionMs: number | undefined;
    let reportedMoved: number | undefined;
    let said: string[];
    let progressLines: number | undefined;
    let lastProgress: string | undefined;
    let timeline: TimedStep[] | undefined;
    if (tool === 'cluster-doctor') {
      const result = parseFix(run.stdout, run.stderr);
      timeline = result.timeline;
      const action = result.actions.find((a) => a.key === `stabilize-open-slot:${STUCK_SLOT}`);
      reportedMoved = action?.keysMoved ?? 0;
      actionMs = action?.durationMs;
      const progress = run.stderr.split(/[\r\n]+/).filter((l) => /keys moved \(/.test(l));
      progressLines = progress.length;
      lastProgress = stripVTControlCharacters(progress[progress.length - 1] ?? '') || undefined;
      said = result.actions.map(
        (a) =>
          `${a.key} ${a.subCase}: ${a.status} (${a.reason}), ${a.keysMoved ?? 0} keys moved; after: ${result.after.status}`,
      );
    } else {
      // Addresses named by role, so the same story reads the same on every fresh cluster.
      said = stripVTControlCharacters(run.stdout)
        .split('\n')
        .filter((l) => /^(>>>|\[ERR\]|\*\*\*)/.test(l))
        .map((l) =>
          l
            .replaceAll(source.address, 'O (migrating side)')
            .replaceAll(target.address, 'T (importing side)')
            .replace(/127\.0\.0\.1:\d+/g, 'another node'),
        );
    }
    const owner: SlotOwner =
      state.owners.size !== 1
        ? 'no single owner'
        : state.owners.has(target.id)
          ? 'importing side'
          : state.owners.has(source.id)
            ? 'migrating side'
            : 'no single owner';
    const restoreKeysPerSec = tool === 'cluster-doctor' ? await restoreRate(target) : undefined;
    const migrateKeysPerSec = await migrateRate(source, moved);
    options.log(
      `fix by ${tool} (${options.premoved} of ${options.slotKeys} pre-moved): ${run.ms.toFixed(0)} ms, exit ${run.code}, ` +
        `${moved} key(s) moved, slot now on the ${owner}, ledger ${before.total} -> ${after.total}`,
    );
    return {
      tool,
      premoved: options.premoved,
      wallMs: run.ms,
      exitCode: run.code ?? -1,
      settleMs: tool === 'cluster-doctor' ? options.settleMs : 0,
      actionMs,
      moved,
      reportedMoved,
      ledgerBefore: before.total,
      ledgerAfter: after.total,
      owner,
      slotClosed: state.closed,
      stateOk: state.stateOk,
      settledAfterMs,
      said,
      progressLines,
      lastProgress,
      restoreKeysPerSec,
      migrateKeysPerSec,
      timeline,
    };
  });
}

async function prepareStuckSlot(
  cluster: TestCluster,
  options: FixBenchOptions,
): Promise<{ source: HarnessNode; target: HarnessNode }> {
  const source = await cluster.ownerOf(STUCK_SLOT);
  const target = cluster.masters.find((m) => m !== source);
  if (!source || !target) throw new BenchError(`no owner or no other master for slot ${STUCK_SLOT}`);
  const spread = Array.from({ length: options.spreadKeys }, (_, i) => `spread:${i}`).filter(
    (k) => keySlot(k) !== STUCK_SLOT,
  );
  await loadKeys(cluster, 0, spread);
  await writeKeys(source, keysInSlot(STUCK_SLOT, options.slotKeys, 'stuck'));
  const faults = new Faults(cluster);
  await faults.openSlot(STUCK_SLOT, source, target);
  await faults.migrateKeys(STUCK_SLOT, source, target, options.premoved);
  // Replicas have caught up, so neither tool competes with a full sync.
  await cluster.waitHealthy();
  return { source, target };
}

function parseFix(stdout: string, stderr: string): FixResult {
  try {
    return JSON.parse(stdout) as FixResult;
  } catch {
    throw new BenchError(`cluster-doctor fix printed no JSON: ${stderr.trim().slice(-500)}`);
  }
}

async function countInSlot(node: HarnessNode): Promise<number> {
  return Number(await node.process.command('CLUSTER', 'COUNTKEYSINSLOT', STUCK_SLOT));
}

/** Milliseconds until `slotState` is all good (polled; 0 when it already was), undefined after 10 s. */
async function waitSettled(cluster: TestCluster): Promise<number | undefined> {
  const started = performance.now();
  try {
    await cluster.waitFor(
      'the slot closed and owned by one node in every view, cluster_state:ok everywhere',
      async () => {
        const state = await slotState(cluster);
        return state.closed && state.owners.size === 1 && state.stateOk;
      },
      10_000,
    );
  } catch {
    return undefined;
  }
  const waited = performance.now() - started;
  return waited < 50 ? 0 : waited;
}

/** Every node's view: the slot closed (no `[slot->-`/`[slot-<-` marker), who owns it, state ok. */
async function slotState(
  cluster: TestCluster,
): Promise<{ closed: boolean; owners: Set<string | undefined>; stateOk: boolean }> {
  const views = await Promise.all(
    cluster.nodes.map(async (n) => ({
      nodes: String(await n.process.command('CLUSTER', 'NODES')),
      info: String(await n.process.command('CLUSTER', 'INFO')),
      owner: (await cluster.ownerOf(STUCK_SLOT, n))?.id,
    })),
  );
  return {
    closed: views.every((v) => !v.nodes.includes(`[${STUCK_SLOT}-`)),
    owners: new Set(views.map((v) => v.owner)),
    stateOk: views.every((v) => v.info.includes('cluster_state:ok')),
  };
}

/**
 * The importing side's own time per restored key during the fix (`INFO commandstats`, reset just
 * before the tool ran): MIGRATE has the target run RESTORE-ASKING for every key, so 10^6 / (usec
 * per call) is the most keys per second the target could take, however the keys are sent.
 */
async function restoreRate(target: HarnessNode): Promise<number | undefined> {
  const stats = await commandStats(target, 'restore-asking');
  return stats && stats.usec > 0 ? (stats.calls * 1_000_000) / stats.usec : undefined;
}

/** Keys moved per second of the migrating side's own time in MIGRATE (its `INFO commandstats`). */
async function migrateRate(source: HarnessNode, moved: number): Promise<number | undefined> {
  const usec = (await commandStats(source, 'migrate'))?.usec ?? 0;
  return usec > 0 && moved > 0 ? (moved * 1_000_000) / usec : undefined;
}

/** A command's calls and total time on a node since the last `CONFIG RESETSTAT`. */
async function commandStats(
  node: HarnessNode,
  command: string,
): Promise<{ calls: number; usec: number } | undefined> {
  const stats = String(await node.process.command('INFO', 'commandstats'));
  const m = stats.match(new RegExp(`cmdstat_${command}:calls=(\\d+),usec=(\\d+)`));
  return m ? { calls: Number(m[1]), usec: Number(m[2]) } : undefined;
}
