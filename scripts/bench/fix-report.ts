import type { FixRun, FixTool, SlotOwner } from './fix-bench';
import { count, ms, sample, table } from './markdown';
import { summarize } from './measure';

const LABEL: Record<FixTool, string> = {
  'cluster-doctor': 'cluster-doctor fix --yes',
  'redis-cli': 'redis-cli --cluster fix',
};

const DIRECTION: Record<SlotOwner, string> = {
  'importing side': 'finished the move',
  'migrating side': 'rolled it back',
  'no single owner': 'LEFT NO SINGLE OWNER',
};

/** Keys per second of the work itself: cluster-doctor's settle wait is left out. */
const keysPerSecond = (f: FixRun) => f.moved / ((f.wallMs - f.settleMs) / 1000);

/** Section 3: completing (or undoing) a half-moved slot. */
export function fixSection(
  fixes: FixRun[],
  slotKeys: number,
  spreadKeys: number,
  settleMs: number,
): string | undefined {
  if (fixes.length === 0) return undefined;
  const runNumber = new Map<string, number>();
  const rows = fixes.map((f) => {
    const key = `${f.premoved}:${f.tool}`;
    runNumber.set(key, (runNumber.get(key) ?? 0) + 1);
    return [
      `${count(f.premoved)} of ${count(slotKeys)}`,
      `${LABEL[f.tool]} #${runNumber.get(key)}`,
      ms(f.wallMs),
      f.settleMs > 0 ? ms(f.settleMs) : '0 (none)',
      ms(f.wallMs - f.settleMs),
      f.actionMs === undefined ? '–' : ms(f.actionMs),
      count(f.moved),
      count(keysPerSecond(f)),
      f.actionMs === undefined ? '–' : count(f.moved / (f.actionMs / 1000)),
      `${count(f.ledgerBefore)} → ${count(f.ledgerAfter)}${f.ledgerAfter < f.ledgerBefore ? ' **LOST KEYS**' : ''}`,
      `${DIRECTION[f.owner]}${f.slotClosed ? '' : ', STILL OPEN'}`,
      `${f.stateOk ? 'ok' : 'NOT ok'}${f.settledAfterMs ? ` (${ms(f.settledAfterMs)} ms after exit)` : ''}`,
      String(f.exitCode),
    ];
  });
  const said = [
    ...new Set(
      fixes.map((f) => `- ${count(f.premoved)} moved, ${f.tool}: ${f.said.join('; ') || '(nothing)'}`),
    ),
  ];
  return `## 3. \`fix\`: a slot of ${count(slotKeys)} keys left half-moved

Each run starts a fresh 3×1 cluster, writes ${count(slotKeys)} keys into slot 4242 (one hash tag) and
${count(spreadKeys)} keys over the other slots, opens the slot \`MIGRATING\` on its owner and \`IMPORTING\` on
another master, moves some of its keys with \`MIGRATE ... KEYS\` ("pre-moved") and stops, like a reshard that
died. One tool then fixes it: \`node bin/cluster-doctor.js fix 127.0.0.1:PORT --yes --settle-ms ${settleMs} --json\`
or \`redis-cli --cluster fix 127.0.0.1:PORT --cluster-yes\`. Afterwards the bench counts the keys of every
slot on every master, and reads every node's view of the slot and \`cluster_state\`.

${table(
  [
    'pre-moved',
    'tool, run',
    'wall, ms',
    'settle wait, ms',
    'wall − settle, ms',
    'cluster-doctor action, ms',
    'keys moved',
    'keys/s (wall − settle)',
    'keys/s (cluster-doctor action)',
    'keys before → after (whole cluster)',
    'slot afterwards',
    'cluster_state',
    'exit',
  ],
  rows,
)}

What this shows: ${verdict(fixes)} cluster-doctor's wall time includes its persistence guard (two
observations ${settleMs} ms apart must agree, so a reshard in flight is never "fixed"; reported separately
and left out of keys/s), a re-observation just before acting, verification and a final check; "cluster-doctor
action" is its own timing of re-observe, migrate (\`MIGRATE ... KEYS\`, never \`REPLACE\`, in batches of at most
100 keys, 1 MiB and about 5 ms of the migrating side's time, eight pipelined per round), finalise and verify. Keys
moved are counted on the migrating side before and after.${lateAgreement(fixes)}

${timelineSection(fixes)}

${ratesSection(fixes)}

What each tool said it did:
${said.join('\n')}`;
}

/** One sentence per scenario: which way each tool went, and its median speed. */
function verdict(fixes: FixRun[]): string {
  const scenarios = [...new Set(fixes.map((f) => f.premoved))];
  return scenarios
    .map((premoved) => {
      const runs = fixes.filter((f) => f.premoved === premoved);
      const way = (tool: FixTool) => {
        const mine = runs.filter((f) => f.tool === tool);
        if (mine.length === 0) return `${tool} did not run`;
        const went = [...new Set(mine.map((f) => DIRECTION[f.owner]))].join(' / ');
        const median = (value: (f: FixRun) => number) => count(summarize(mine.map(value)).median);
        const actions = mine.filter((f) => f.actionMs !== undefined);
        const action =
          actions.length > 0
            ? `, ${count(summarize(actions.map((f) => f.moved / ((f.actionMs as number) / 1000))).median)} in its action alone`
            : '';
        return `${tool} ${went} (${median((f) => f.moved)} keys moved; ${median(keysPerSecond)} keys/s excluding the settle wait${action})`;
      };
      const lost = runs.some((f) => f.ledgerAfter < f.ledgerBefore);
      return `With ${count(premoved)} keys pre-moved, ${way('cluster-doctor')} and ${way('redis-cli')}${lost ? '; KEYS WERE LOST' : '; no key was lost'}.`;
    })
    .join(' ');
}

/** How often a tool exited before every node (replicas too) agreed on the slot's new state. */
function lateAgreement(fixes: FixRun[]): string {
  const late = (tool: FixTool) => {
    const runs = fixes.filter((f) => f.tool === tool);
    const lateRuns = runs.filter((f) => f.settledAfterMs);
    const worst = Math.max(0, ...lateRuns.map((f) => f.settledAfterMs ?? 0));
    return `${tool} in ${lateRuns.length} of ${runs.length} run(s)${lateRuns.length > 0 ? ` (agreement up to ${ms(worst)} ms later)` : ''}`;
  };
  return ` A tool exited before every node (replicas included) agreed on the slot: ${late('redis-cli')}, ${late('cluster-doctor')}.`;
}

const median = (values: number[]) => (values.length > 0 ? summarize(values).median : undefined);

/** Where cluster-doctor's time went, step by step (its own timeline), median of the runs per scenario. */
function timelineSection(fixes: FixRun[]): string {
  const doctor = fixes.filter((f) => f.tool === 'cluster-doctor' && f.timeline);
  const scenarios = [...new Set(doctor.map((f) => f.premoved))];
  if (scenarios.length === 0) return '';
  // The action's steps are named by its key; one stuck slot, so one name each.
  const stepOf = (step: string) => step.replace(/^stabilize-open-slot:\d+: /, 'action: ');
  const steps = [...new Set(doctor.flatMap((f) => (f.timeline ?? []).map((t) => stepOf(t.step))))];
  const stepMs = (f: FixRun, step: string) =>
    (f.timeline ?? []).filter((t) => stepOf(t.step) === step).reduce((n, t) => n + t.ms, 0);
  const outside = (f: FixRun) => f.wallMs - (f.timeline ?? []).reduce((n, t) => n + t.ms, 0);
  const cell = (values: number[]) => (values.length > 0 ? sample(summarize(values)) : '–');
  const rows = [
    [
      'process start, module load, output and exit (wall − the steps below)',
      ...scenarios.map((p) => cell(doctor.filter((f) => f.premoved === p).map(outside))),
    ],
    ...steps.map((step) => [
      step,
      ...scenarios.map((p) => cell(doctor.filter((f) => f.premoved === p).map((f) => stepMs(f, step)))),
    ]),
    [
      '**whole process**',
      ...scenarios.map((p) => cell(doctor.filter((f) => f.premoved === p).map((f) => f.wallMs))),
    ],
  ];
  return `Where cluster-doctor's time went (its own timeline in the JSON result, \`timeline\`; ms, median and range):

${table(['step', ...scenarios.map((p) => `${count(p)} pre-moved`)], rows)}

"observe" and "observe again" are the persistence guard's two observations (with the deep key scan: the
plan needs every key count); "re-observe and recheck" is the re-verification on a fresh observation just
before writing (key counts of the touched slot only); "apply" is the move and \`SETSLOT NODE\` on every
master; "verify" observes (with the deep scan) until every master names the new owner, and that
observation is also the report's, unless replicas still lag ("report").`;
}

/** How close the move gets to the limits: MIGRATE's own pace on the migrating side, and RESTORE's. */
function ratesSection(fixes: FixRun[]): string {
  const doctor = fixes.filter((f) => f.tool === 'cluster-doctor' && f.actionMs);
  const scenarios = [...new Set(doctor.map((f) => f.premoved))];
  if (scenarios.length === 0) return '';
  const rows = scenarios.map((p) => {
    const runs = doctor.filter((f) => f.premoved === p);
    const move = median(runs.map((f) => f.moved / ((f.actionMs as number) / 1000)));
    const migrate = median(runs.flatMap((f) => (f.migrateKeysPerSec ? [f.migrateKeysPerSec] : [])));
    const restore = median(runs.flatMap((f) => (f.restoreKeysPerSec ? [f.restoreKeysPerSec] : [])));
    const share = (limit?: number) =>
      move !== undefined && limit !== undefined ? `${Math.round((100 * move) / limit)}%` : '–';
    const keys = (n?: number) => (n === undefined ? '–' : count(n));
    return [count(p), keys(move), keys(migrate), share(migrate), keys(restore), share(restore)];
  });
  return `How close the move gets to the limits (keys/s, medians):

${table(
  [
    'pre-moved',
    "cluster-doctor's action (re-observe, move, finalise, verify)",
    "the migrating side's MIGRATE pace (keys per second of its own time in MIGRATE)",
    'action ÷ MIGRATE pace',
    "the target's RESTORE rate (keys per second of its own time in RESTORE)",
    'action ÷ RESTORE rate',
  ],
  rows,
)}

The target's RESTORE rate is the goal's "physical limit", but MIGRATE cannot reach it: the migrating side
serialises each key, sends the batch, then reads the target's reply to every key (one byte per
\`read()\` call in Redis 7's \`syncReadLine\`) before it deletes what moved, and it does nothing else
meanwhile. Its own time inside MIGRATE, per key, is the pace no client can beat on that node; the
action's rate against it shows what the checker adds (its observations, round trips and finalisation).`;
}
