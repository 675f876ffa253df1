/**
 * The scheduled path as deployed, in a process of its own so the nemesis can SIGKILL it mid-fix as a
 * Lambda container dies: the placement's check handler built by `localPlacement` (the same wiring as
 * functions/*.ts, file state and lock), invoked with the schedule's event every `tickMs`, `auto` with
 * the default allow-list. What the handlers publish and every remediation result go to stdout as one
 * JSON line each, for the soak to count.
 */
import type { PlacementSettings } from '../config/placement-settings';
import { localPlacement } from '../service/local';
import { DEFAULT_ALLOW, SOAK_CLUSTER, type TickerConfig } from './ticker';

const config = JSON.parse(process.env.SOAK_TICKER ?? '{}') as TickerConfig;
const emit = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const settings: PlacementSettings = {
  format: 1,
  deployment: 'soak',
  placement: 'local',
  clusters: {
    [SOAK_CLUSTER]: {
      seeds: config.seeds,
      secretArn: 'none',
      tls: 'off',
      timeoutMs: config.timeoutMs,
      mode: 'auto',
      allow: [...DEFAULT_ALLOW],
      settleMs: config.settleMs,
    },
  },
};

const functions = localPlacement({
  settings,
  stateDir: config.stateDir,
  sink: {
    publish: async (m) => {
      // A plan the check could not act on (every entry refused or escalated) is only in this message.
      const plan = m.kind === 'remediation' ? (JSON.parse(m.json) as { plan?: unknown[] }).plan : undefined;
      emit({ type: 'message', at: Date.now(), kind: m.kind, severity: m.severity, subject: m.subject, plan });
    },
  },
  onRemediation: (_cluster, result) =>
    emit({
      type: 'remediation',
      at: Date.now(),
      ms: (result.timeline ?? []).reduce((n, s) => n + s.ms, 0),
      // Each step's ms: when each action rechecked and wrote (lib/soak/verdict.ts).
      timeline: result.timeline ?? [],
      actions: result.actions.map((a) => ({
        key: a.key,
        remedy: a.remedy,
        subCase: a.subCase,
        slots: a.slots,
        nodes: a.nodes,
        status: a.status,
        guard: a.guard,
        reason: a.reason.slice(0, 400),
        keysMoved: a.keysMoved,
        durationMs: a.durationMs,
      })),
      after: { status: result.after.status, findings: result.after.findings.map((f) => f.id) },
    }),
});

async function main(): Promise<void> {
  for (;;) {
    const at = Date.now();
    try {
      const summary = await functions.check({ cluster: SOAK_CLUSTER, kind: 'frequent' });
      emit({
        type: 'tick',
        at,
        ms: Date.now() - at,
        status: summary.status,
        findings: summary.findings,
        remediationStarted: summary.remediationStarted,
      });
    } catch (error) {
      emit({ type: 'tick-error', at, error: String(error).slice(0, 300) });
    }
    await new Promise((r) => setTimeout(r, Math.max(0, config.tickMs - (Date.now() - at))));
  }
}

// The soak that started this process is gone (its end of stdin closed): so is the reason to run.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
void main();
