import type { TimedStep } from '../remediate/timeline';
import type { NodeState } from './health';
import type { FaultRecord } from './nemesis';
import type { MoveRecord } from './resharder';
import { describeFault, type PlannedFault } from './schedule';
import type { TickerEvent } from './ticker';
import type { WriterVerdict } from './writer';

export interface VerdictInput {
  options: Record<string, unknown>;
  server: string;
  startedAt: number;
  loadBefore: number[];
  loadAfter: number[];
  schedule: PlannedFault[];
  records: FaultRecord[];
  events: TickerEvent[];
  moves: MoveRecord[];
  kills: number;
  quietProblems: string[];
  endStates: NodeState[];
  writes: WriterVerdict;
  staticKeys: number;
  staticLost: string[];
  /** Keys that could not be read at the end (a shard answering CLUSTERDOWN): not proven lost, not proven kept. */
  staticUnreadable: string[];
  escalations: { at: number; action: Record<string, unknown>; state: string[] }[];
}

interface Action {
  key?: string;
  remedy: string;
  subCase: string;
  slots: [number, number][];
  status: string;
}

const count = <T>(items: T[], key: (item: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const inSlots = (slot: number, ranges: [number, number][]) => ranges.some(([a, b]) => slot >= a && slot <= b);

export type SoakVerdict = ReturnType<typeof verdictOf>;

export function verdictOf(input: VerdictInput) {
  const endedAt = Date.now();
  const remediations = input.events.filter((e) => e.type === 'remediation');
  const actions = remediations.flatMap((r) => (r.actions ?? []) as Action[]);
  const messages = input.events.filter((e) => e.type === 'message');
  // Heal times of the loop alone: a fault a person had to resolve is counted apart.
  const heal = input.records
    .filter((r) => r.healMs !== undefined && !r.operator)
    .map((r) => r.healMs as number)
    .sort((a, b) => a - b);
  // An applied action on a slot while the resharder's move of that slot was alive. The action's
  // window is from its recheck just before writing to the end of its writes, placed by the run's
  // timeline (the run ended at `at`, less the timeline's total); a run without one counts whole.
  const onProgressing = remediations.flatMap((r) => {
    const end = r.at;
    const start = end - Number(r.ms ?? 0);
    return ((r.actions ?? []) as Action[])
      .filter((a) => a.status === 'applied')
      .flatMap((a) => {
        const [from, to] = actionWindow(r.timeline as TimedStep[] | undefined, a.key, start) ?? [start, end];
        return input.moves
          .filter((m) => inSlots(m.slot, a.slots) && m.startedAt <= to && (m.endedAt ?? endedAt) >= from)
          .map((m) => ({ action: `${a.remedy}/${a.subCase}`, slot: m.slot, move: m }));
      });
  });
  const openAtEnd = input.endStates.flatMap((s) => s.marks.map((m) => `${s.address} ${m}`));
  const uncoveredAtEnd = input.endStates
    .filter((s) => s.uncovered > 0)
    .map((s) => `${s.address}: ${s.uncovered}`);
  const notOk = input.endStates
    .filter((s) => !s.alive || s.state !== 'ok')
    .map((s) => `${s.address}: ${s.alive ? (s.state ?? 'no answer') : 'down'}`);
  const ok =
    input.writes.lost.length === 0 &&
    input.writes.unreadable.length === 0 &&
    input.staticLost.length === 0 &&
    input.staticUnreadable.length === 0 &&
    openAtEnd.length === 0 &&
    uncoveredAtEnd.length === 0 &&
    notOk.length === 0 &&
    onProgressing.length === 0;
  return {
    ok,
    server: input.server,
    seed: input.options.seed as number,
    minutes: input.options.minutes as number,
    options: input.options,
    startedAt: new Date(input.startedAt).toISOString(),
    durationS: Math.round((endedAt - input.startedAt) / 1000),
    load: { before: input.loadBefore.map(round2), after: input.loadAfter.map(round2) },
    schedule: input.records.map((r) => describeFault(input.schedule[r.n - 1] as PlannedFault)),
    faults: {
      total: input.records.length,
      byKind: count(input.records, (r) => r.kind),
      notLanded: input.records.filter((r) => !r.landed).length,
      withError: input.records.filter((r) => r.error).map((r) => `#${r.n} ${r.kind}: ${r.error}`),
      records: input.records,
    },
    actions: {
      byStatus: count(actions, (a) => a.status),
      byRemedy: count(actions, (a) => `${a.remedy}/${a.subCase} ${a.status}`),
      remediationRuns: remediations.length,
      fixProcessKills: input.kills,
    },
    heal: {
      healed: heal.length,
      unhealed: input.records.filter((r) => r.unhealed).length,
      byOperator: input.records
        .filter((r) => r.operator)
        .map(
          (r) =>
            `#${r.n} ${r.kind}: ${r.operator?.join('; ')}${r.healMs ? ` (healthy after ${secs(r.healMs)})` : ' (not healed)'}`,
        ),
      medianMs: percentile(heal, 50),
      p95Ms: percentile(heal, 95),
      maxMs: heal[heal.length - 1],
    },
    messages: {
      total: messages.length,
      bySeverity: count(messages, (m) => String(m.severity)),
      byKind: count(messages, (m) => `${m.kind} ${m.severity}`),
    },
    checks: {
      ticks: input.events.filter((e) => e.type === 'tick').length,
      errors: input.events.filter((e) => e.type === 'tick-error').length,
    },
    resharder: count(input.moves, (m) => m.outcome ?? 'in progress'),
    writes: {
      acked: input.writes.acked,
      unacked: input.writes.unacked,
      keys: input.writes.keys,
      ackedLost: input.writes.lost.length,
      unreadable: input.writes.unreadable.length,
      lost: input.writes.lost.slice(0, 20),
    },
    keys: {
      static: input.staticKeys,
      lost: input.staticLost.length,
      unreadable: input.staticUnreadable.length,
      lostSample: input.staticLost.slice(0, 20),
    },
    end: {
      quietProblems: input.quietProblems,
      openSlots: openAtEnd,
      uncovered: uncoveredAtEnd,
      notOk,
    },
    actionsOnProgressingMigration: onProgressing,
    escalations: input.escalations,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const kv = (o: Record<string, number>) =>
  Object.entries(o)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function renderVerdict(v: SoakVerdict): string {
  return [
    `SOAK ${v.ok ? 'PASSED' : 'FAILED'}: ${v.server}, seed ${v.seed}, ${v.minutes} min (ran ${v.durationS} s), load ${v.load.before[0]} -> ${v.load.after[0]}`,
    `faults (${v.faults.total}, ${v.faults.notLanded} found nothing to act on): ${kv(v.faults.byKind)}`,
    ...v.faults.withError.map((e) => `  fault error: ${e}`),
    `actions: ${kv(v.actions.byStatus)} in ${v.actions.remediationRuns} remediation run(s); fix process killed ${v.actions.fixProcessKills} time(s)`,
    ...Object.entries(v.actions.byRemedy).map(([k, n]) => `  ${k}: ${n}`),
    `heal time (${v.heal.healed} healed by the loop alone, ${v.heal.byOperator.length} with a person's step, ${v.heal.unhealed} not): median ${secs(v.heal.medianMs)}, p95 ${secs(v.heal.p95Ms)}, max ${secs(v.heal.maxMs)}`,
    ...v.heal.byOperator.map((o) => `  operator: ${o}`),
    `messages (${v.messages.total}): ${kv(v.messages.bySeverity)}; by kind: ${kv(v.messages.byKind)}`,
    `checks: ${v.checks.ticks} scheduled runs, ${v.checks.errors} failed`,
    `resharder moves: ${kv(v.resharder)}`,
    `writes: ${v.writes.acked} acknowledged, ${v.writes.unacked} not; acknowledged writes lost ${v.writes.ackedLost}, unreadable ${v.writes.unreadable}`,
    `keys: ${v.keys.lost} of ${v.keys.static} lost, ${v.keys.unreadable} unreadable at the end`,
    `end: open slots ${v.end.openSlots.length ? v.end.openSlots.join(', ') : 'none'}; uncovered ${v.end.uncovered.length ? v.end.uncovered.join(', ') : 'none'}; not ok ${v.end.notOk.length ? v.end.notOk.join(', ') : 'none'}`,
    ...(v.end.quietProblems.length
      ? [`  not healthy after the quiet wait: ${v.end.quietProblems.join('; ')}`]
      : []),
    `actions on a progressing migration: ${v.actionsOnProgressingMigration.length}`,
    ...v.actionsOnProgressingMigration.map(
      (p) => `  ${p.action} on slot ${p.slot}: ${JSON.stringify(p.move)}`,
    ),
    `escalations: ${v.escalations.length}`,
    ...v.escalations.map(
      (e) =>
        `  at ${secs(e.at)}: ${e.action.remedy}/${e.action.subCase} ${e.action.status} slots ${JSON.stringify(e.action.slots)}: ${String(e.action.reason)}\n    state: ${e.state.join(' | ')}`,
    ),
  ].join('\n');
}

/** When an action rechecked and wrote: `[${key}: re-observe and recheck` start, `${key}: apply` end]. */
export function actionWindow(
  timeline: TimedStep[] | undefined,
  key: string | undefined,
  runStart: number,
): [number, number] | undefined {
  if (!timeline || key === undefined) return undefined;
  let offset = 0;
  let from: number | undefined;
  for (const step of timeline) {
    if (step.step === `${key}: re-observe and recheck`) from = runStart + offset;
    offset += step.ms;
    if (step.step === `${key}: apply` && from !== undefined) return [from, runStart + offset];
  }
  return undefined;
}
