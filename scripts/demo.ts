/**
 * `npm run demo`: a throwaway 3x1 Redis Cluster on free loopback ports, broken the way failed
 * reshards break clusters, found by the same code path as the scheduled Lambda (messages printed as
 * SNS would deliver them), repaired by the guarded fix, and proven to have lost no key.
 *
 *   npm run demo -- [--faults half-moved,uncovered,importing] [--keep] [--server DIR]
 *
 * `--server DIR` (or $CLUSTER_DOCTOR_SERVER) names a folder holding `redis-server`/`valkey-server`
 * and its client, e.g. ../shared/servers/valkey-8.0.1/bin; the default is the PATH's redis-server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { colorOn } from '../lib/cli/io';
import type { PlacementSettings } from '../lib/config/placement-settings';
import { tempFileLock } from '../lib/guard/lock';
import { DEFAULT_BUDGET, type Policy } from '../lib/guard/types';
import {
  Faults,
  type HarnessNode,
  type KeyLedger,
  keyLedger,
  keysInSlot,
  loadKeys,
  SERVER_ENV,
  serverAt,
  TestCluster,
} from '../lib/harness';
import { ConsoleSink } from '../lib/notify/console-sink';
import { renderFixText } from '../lib/notify/fix-text';
import { type FixResult, fixCluster } from '../lib/remediate/fix';
import { DEFAULT_SETTINGS } from '../lib/remedies/types';
import { localPlacement } from '../lib/service/local';
import { keySlot } from '../lib/topology/keyslot';

const FAULTS = ['half-moved', 'uncovered', 'importing'] as const;
type Fault = (typeof FAULTS)[number];
const HALF_MOVED_SLOT = 4242;
const IMPORTING_SLOT = 9000;
const UNCOVERED: [number, number] = [15000, 15099];

const { values } = parseArgs({
  options: {
    faults: { type: 'string', default: FAULTS.join(',') },
    keep: { type: 'boolean', default: false },
    server: { type: 'string', default: process.env[SERVER_ENV] ?? '' },
  },
});
const server = serverAt(values.server ? values.server : undefined);
const faults = (values.faults ?? '').split(',').filter(Boolean) as Fault[];
for (const f of faults)
  if (!FAULTS.includes(f)) throw new Error(`unknown fault ${f}; choose from ${FAULTS.join(', ')}`);

const t0 = performance.now();
let lastStep = t0;
// Bold and colours only for a person at a terminal: `npm run demo > out.txt` or NO_COLOR=1 get plain text.
const color = colorOn(1);
const styled = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
function step(text: string): void {
  const now = performance.now();
  console.log(
    `\n${styled('1', `[${((now - t0) / 1000).toFixed(1)} s] ${text}`)}  (previous step ${((now - lastStep) / 1000).toFixed(1)} s)`,
  );
  lastStep = now;
}

async function main(): Promise<number> {
  step(`1. Start a throwaway cluster: 3 masters x 1 replica of ${server.label} on free loopback ports`);
  const cluster = await TestCluster.start({ masters: 3, replicasPerMaster: 1, server });
  const stateDir = mkdtempSync(join(tmpdir(), 'cluster-doctor-demo-state-'));
  try {
    console.log(`   nodes: ${cluster.seeds.join(' ')}`);
    step('2. Load keys (20 000 spread over the slots, 600 in one slot that a reshard will half-move)');
    const spread = Array.from({ length: 20_000 }, (_, i) => `demo:${i}`).filter((k) => {
      const s = keySlot(k);
      return s < UNCOVERED[0] || s > UNCOVERED[1];
    });
    await loadKeys(cluster, 0, [...spread, ...keysInSlot(HALF_MOVED_SLOT, 600, 'order')]);
    const before = await keyLedger(cluster);
    console.log(`   ${before.total} keys on ${before.perNode.size} masters`);

    step(`3. Break it: ${faults.join(', ')}`);
    await breakCluster(cluster, new Faults(cluster), faults);

    // The placement's functions as the stack deploys them, with local edges (files for the table,
    // the console for SNS): the settings document says what the demo cluster's runs may do.
    const settings: PlacementSettings = {
      format: 1,
      deployment: 'demo',
      placement: 'local',
      clusters: {
        demo: {
          seeds: [cluster.seeds[0] as string],
          secretArn: 'none',
          tls: 'off',
          timeoutMs: 10_000,
          mode: 'auto',
          allow: ['stabilize-open-slot', 'assign-uncovered-slots'],
          settleMs: 1000,
        },
      },
    };
    let remediation: FixResult | undefined;
    const functions = localPlacement({
      settings,
      stateDir,
      sink: new ConsoleSink(),
      onRemediation: (_cluster, result) => {
        remediation = result;
      },
    });
    const check = (kind: 'nightly' | 'frequent') => functions.check({ cluster: 'demo', kind });

    step("4. Scheduled check (the check Lambda's handler), messages as SNS would deliver them");
    const first = await check('frequent');
    console.log(
      `   status ${first.status.toUpperCase()}, ${first.findings} finding(s), published: ${first.published.join(', ') || 'nothing'}`,
    );

    const policy = (mode: Policy['mode']): Policy => ({
      mode,
      settleMs: 1000,
      budget: DEFAULT_BUDGET,
      settings: DEFAULT_SETTINGS,
    });
    const seeds = [cluster.seeds[0] as string];
    step("5. `cluster-doctor fix` dry-run (the default): what would run, and each guard's verdict");
    console.log(
      renderFixText(await fixCluster(seeds, { observe: {}, policy: policy('dry-run'), lock: tempFileLock })),
    );

    step(
      '6. Scheduled check again: the problems persisted, so in auto mode it starts the remediation run (re-verify, act, verify, count keys)',
    );
    const confirmed = await check('frequent');
    if (!confirmed.remediationStarted || !remediation) throw new Error('the remediation run did not start');
    const fixed: FixResult = remediation;
    console.log(renderFixText(fixed, { color }));

    step('7. Nightly check: the problems are resolved');
    const second = await check('nightly');
    console.log(`   status ${second.status.toUpperCase()}, published: ${second.published.join(' + ')}`);

    step('8. Key ledger: every key accounted for');
    await cluster.waitHealthy();
    const after = await keyLedger(cluster);
    const lost = printLedger(
      before,
      after,
      fixed.actions.flatMap((a) => Object.keys(a.keysBefore ?? {}).map(Number)),
    );
    const states = await Promise.all(
      cluster.nodes.map(
        async (n) => String(await n.process.command('CLUSTER', 'INFO')).match(/cluster_state:(\w+)/)?.[1],
      ),
    );
    const healthy = second.status === 'ok' && states.every((s) => s === 'ok');
    console.log(`   cluster_state on every node: ${states.join(', ')}`);
    console.log(
      `\n${healthy && !lost ? styled('32', 'HEALTHY') : styled('31', 'NOT HEALTHY')}: ${after.total} of ${before.total} keys, status ${second.status}`,
    );
    if (values.keep) {
      console.log(
        `\n--keep: the cluster stays up (${cluster.seeds[0]}). Try: npx cluster-doctor check ${cluster.seeds[0]}. Ctrl-C stops it.`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return healthy && !lost ? 0 : 1;
  } finally {
    await cluster.stop();
    rmSync(stateDir, { recursive: true, force: true });
    step('9. Every redis-server the demo started is stopped');
  }
}

async function breakCluster(cluster: TestCluster, f: Faults, chosen: Fault[]): Promise<void> {
  const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
  if (chosen.includes('half-moved')) {
    const owner = (await cluster.ownerOf(HALF_MOVED_SLOT)) as HarnessNode;
    const target = owner === b ? c : b;
    await f.openSlot(HALF_MOVED_SLOT, owner, target);
    const moved = await f.migrateKeys(HALF_MOVED_SLOT, owner, target, 300);
    console.log(
      `   half-moved: slot ${HALF_MOVED_SLOT} migrating ${owner.address} -> ${target.address}, ${moved} of its keys moved, then the reshard "died"`,
    );
  }
  if (chosen.includes('uncovered')) {
    await f.delSlots(...UNCOVERED);
    console.log(
      `   uncovered: slots ${UNCOVERED.join('-')} (no keys) removed from every node: clients get CLUSTERDOWN`,
    );
  }
  if (chosen.includes('importing')) {
    const owner = (await cluster.ownerOf(IMPORTING_SLOT)) as HarnessNode;
    const importer = owner === a ? c : a;
    await f.openSlot(IMPORTING_SLOT, owner, importer, { importing: true, migrating: false });
    console.log(
      `   importing: ${importer.address} left importing slot ${IMPORTING_SLOT} with no keys and no migrating side`,
    );
  }
}

function printLedger(before: KeyLedger, after: KeyLedger, touched: number[]): boolean {
  const slots = [...new Set(touched)].sort((x, y) => x - y);
  const withKeys = slots.filter((s) => (before.perSlot.get(s) ?? 0) + (after.perSlot.get(s) ?? 0) > 0);
  console.log('   touched slot   keys before   keys after');
  for (const slot of withKeys) {
    console.log(
      `   ${String(slot).padEnd(12)} ${String(before.perSlot.get(slot) ?? 0).padStart(11)}   ${String(after.perSlot.get(slot) ?? 0).padStart(10)}`,
    );
  }
  if (slots.length > withKeys.length)
    console.log(`   (${slots.length - withKeys.length} more touched slot(s) held no key before or after)`);
  let changed = 0;
  for (const [slot, n] of before.perSlot) if ((after.perSlot.get(slot) ?? 0) !== n) changed++;
  console.log(
    `   all slots    ${String(before.total).padStart(11)}   ${String(after.total).padStart(10)}   (${changed} slot(s) with a different count)`,
  );
  return after.total < before.total || changed > 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
