import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultServer, keysInSlot, loadKeys, type ServerSpec, sleep, TestCluster } from '../harness';
import { keySlot } from '../topology/keyslot';
import { SLOT_COUNT } from '../topology/types';
import { clusterState, problemsOf } from './health';
import { type FaultRecord, Nemesis } from './nemesis';
import { resolveKeysOnBothSides } from './operator';
import { Resharder } from './resharder';
import { SlotRouter } from './router';
import { describeFault, drawSchedule, Prng } from './schedule';
import { Ticker, type TickerEvent } from './ticker';
import { type SoakVerdict, verdictOf } from './verdict';
import { readWithRetries, Writer } from './writer';

export interface SoakOptions {
  minutes: number;
  seed: number;
  server?: ServerSpec;
  /** Time between two scheduled checks. */
  tickMs?: number;
  settleMs?: number;
  nodeTimeoutMs?: number;
  /** Scheduled checks to wait after the cluster is healthy again, once the nemesis has stopped. */
  quietTicks?: number;
  /** How long the nemesis waits for the cluster to heal after a fault before it gives up and stops. */
  healTimeoutMs?: number;
  log?: (line: string) => void;
}

const HOT_SLOTS = 64;
const KEYS_PER_HOT_SLOT = 50;

/**
 * The chaos soak: a 4x1 cluster, a writer, a resharder, the scheduled check as deployed ticking in
 * `auto`, and a nemesis drawing faults from a seeded schedule, one at a time, each followed by a wait
 * for the cluster to be healthy again (the heal time). Then a quiet period and the verdict.
 */
export async function runSoak(options: SoakOptions): Promise<SoakVerdict> {
  const log = options.log ?? (() => {});
  const tickMs = options.tickMs ?? 3_000;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2_000;
  const healTimeoutMs = options.healTimeoutMs ?? 120_000;
  const server = options.server ?? defaultServer();
  const schedule = drawSchedule(options.seed, 1_000, nodeTimeoutMs);
  const startedAt = Date.now();
  const loadBefore = loadavg();
  log(
    `soak: ${options.minutes} min, seed ${options.seed}, ${server.label}, load ${loadBefore[0]?.toFixed(2)}`,
  );
  log('schedule (the first 12 of the seed):');
  for (const f of schedule.slice(0, 12)) log(`  ${describeFault(f)}`);

  const cluster = await TestCluster.start({ masters: 4, replicasPerMaster: 1, server, nodeTimeoutMs });
  const stateDir = mkdtempSync(join(tmpdir(), 'cluster-doctor-soak-'));
  const router = new SlotRouter(cluster);
  const escalations: SoakVerdict['escalations'] = [];
  const pending: Promise<void>[] = [];
  let ticker: Ticker | undefined;
  try {
    const prng = new Prng(options.seed ^ 0x5eed);
    const hot = new Set<number>();
    while (hot.size < HOT_SLOTS) hot.add(prng.int(0, SLOT_COUNT - 1));
    const hotSlots = [...hot];
    const staticKeys = [
      ...hotSlots.flatMap((s) => keysInSlot(s, KEYS_PER_HOT_SLOT, 'soak-static')),
      ...Array.from({ length: 1_000 }, (_, i) => `soak:static:${i}`),
    ];
    const writerKeys = [
      ...hotSlots.flatMap((s) => keysInSlot(s, 4, 'soak-writer')),
      ...Array.from({ length: 300 }, (_, i) => `soak:writer:${i}`),
    ];
    const keyedSlots = new Set([...staticKeys, ...writerKeys].map(keySlot));
    await loadKeys(cluster, 0, staticKeys);
    log(`cluster up: ${cluster.seeds.join(' ')}; ${staticKeys.length} keys loaded`);

    const writer = new Writer(router, writerKeys);
    const resharder = new Resharder(cluster, hotSlots, options.seed + 1);
    ticker = new Ticker(
      {
        seeds: cluster.seeds,
        stateDir,
        tickMs,
        settleMs: options.settleMs ?? 1_000,
        timeoutMs: 5_000,
      },
      (event) => {
        const escalated = onEvent(event, log);
        if (escalated.length > 0)
          pending.push(
            clusterState(cluster).then((states) => {
              for (const action of escalated)
                escalations.push({
                  at: event.at - startedAt,
                  action,
                  state: states.map(
                    (s) =>
                      `${s.address} ${s.alive ? (s.role ?? '?') : 'down'} ${s.state ?? ''} ${s.marks.join(' ')}`,
                  ),
                });
            }),
          );
      },
    );
    writer.start();
    resharder.start();
    ticker.start();

    const nemesis = new Nemesis(cluster, resharder, ticker, keyedSlots);
    const records: FaultRecord[] = [];
    const deadline = startedAt + options.minutes * 60_000;
    const healthy = async () => problemsOf(await clusterState(cluster), resharder.current?.slot);
    for (const planned of schedule) {
      if (Date.now() >= deadline) break;
      log(describeFault(planned));
      const record = await nemesis.apply(planned);
      records.push(record);
      let heal = await waitHealthy(healthy, healTimeoutMs);
      if (!heal.ok) {
        // The one escalation a person is expected to resolve here (Redis 7, keys on both sides).
        const operator = await resolveKeysOnBothSides(cluster).catch((e: unknown) => [
          `failed: ${String(e)}`,
        ]);
        if (operator.length > 0) {
          record.operator = operator;
          log(`  operator (after ${healTimeoutMs / 1000} s): ${operator.join('; ')}`);
          heal = await waitHealthy(healthy, healTimeoutMs);
        }
      }
      if (heal.ok) {
        record.healedAt = Date.now();
        record.healMs = record.healedAt - record.startedAt;
      } else record.unhealed = heal.problems;
      log(
        `  ${record.detail}${record.error ? ` [error: ${record.error}]` : ''} -> ${heal.ok ? `healthy after ${((record.healMs ?? 0) / 1000).toFixed(1)} s` : `NOT healthy after ${healTimeoutMs / 1000} s: ${heal.problems.join('; ')}`}`,
      );
      if (!heal.ok) {
        log('the cluster did not heal: the nemesis stops here');
        break;
      }
      await sleep(planned.gapMs);
    }

    log('quiet period: the resharder finishes its move and stops; the checks go on');
    await resharder.stop();
    const quiet = await waitHealthy(healthy, healTimeoutMs);
    const ticksBefore = ticker.events.filter((e) => e.type === 'tick').length;
    const quietTicks = options.quietTicks ?? 3;
    const quietDeadline = Date.now() + (quietTicks + 2) * tickMs + 60_000;
    while (
      ticker.events.filter((e) => e.type === 'tick').length < ticksBefore + quietTicks &&
      Date.now() < quietDeadline
    )
      await sleep(200);
    await writer.stop();
    await ticker.stop();
    await Promise.all(pending);

    const endStates = await clusterState(cluster);
    const retryUntil = Date.now() + 60_000;
    const writes = await writer.verify(retryUntil);
    const staticLost: string[] = [];
    const staticUnreadable: string[] = [];
    for (const key of staticKeys) {
      const value = await readWithRetries(router, key, retryUntil);
      if (value === undefined) staticUnreadable.push(key);
      else if (value !== `value-of-${key}`) staticLost.push(key);
    }
    return verdictOf({
      options: { ...options, server: undefined, log: undefined },
      server: server.label,
      startedAt,
      loadBefore,
      loadAfter: loadavg(),
      schedule,
      records,
      events: ticker.events,
      moves: resharder.moves,
      kills: ticker.kills,
      quietProblems: quiet.ok ? [] : quiet.problems,
      endStates,
      writes,
      staticKeys: staticKeys.length,
      staticLost,
      staticUnreadable,
      escalations,
    });
  } finally {
    await ticker?.stop();
    router.close();
    await cluster.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function waitHealthy(
  problems: () => Promise<string[]>,
  timeoutMs: number,
): Promise<{ ok: boolean; problems: string[] }> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await problems();
    if (last.length === 0) return { ok: true, problems: [] };
    await sleep(250);
  }
  return { ok: false, problems: last };
}

/**
 * Logs what the scheduled path did; returns the escalated (or failed) actions of a remediation run,
 * and the escalated entries of a plan the check published without starting a run.
 */
function onEvent(event: TickerEvent, log: (line: string) => void): Record<string, unknown>[] {
  if (event.type === 'tick-error') log(`  check failed: ${String(event.error)}`);
  if (event.type === 'message') {
    log(`  message ${event.severity} ${event.kind}: ${String(event.subject)}`);
    const plan = (event.plan ?? []) as Record<string, unknown>[];
    const escalated = plan.filter((e) => e.status === 'escalated');
    for (const e of escalated)
      log(`  plan: ${e.remedy}/${e.subCase} escalated: ${String(e.reason).slice(0, 300)}`);
    return escalated.map((e) => ({ ...e, slots: e.key, from: 'plan' }));
  }
  if (event.type !== 'remediation') return [];
  const actions = (event.actions ?? []) as Record<string, unknown>[];
  for (const a of actions)
    log(
      `  fix: ${a.remedy}/${a.subCase} ${a.status}${a.guard && a.status !== 'applied' ? ` by ${a.guard}` : ''} slots ${JSON.stringify(a.slots)}: ${String(a.reason).slice(0, 160)}`,
    );
  return actions.filter((a) => a.status === 'escalated' || a.status === 'failed');
}
