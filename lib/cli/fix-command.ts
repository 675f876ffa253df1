import { tempFileLock } from '../guard/lock';
import { DEFAULT_BUDGET, type Policy } from '../guard/types';
import { renderFixText } from '../notify/fix-text';
import { fixCluster } from '../remediate/fix';
import { isRemedyId, REMEDY_IDS, type RemedyId } from '../remedies/ids';
import { DEFAULT_SETTINGS } from '../remedies/types';
import { EXIT } from './check-command';
import { type ConnectionFlags, connectionFrom } from './connection-options';
import type { CliIo } from './io';
import { LIMITS, optionalWhole, parseSeeds, UsageError } from './options';
import { progressReporter } from './progress';

export interface FixFlags extends ConnectionFlags {
  dryRun?: boolean;
  yes?: boolean;
  allow?: string;
  settleMs?: string;
  json?: boolean;
  ghostMinAgeMs?: string;
  failedMasterMinAgeMs?: string;
  takeover?: boolean;
}

export async function fixCommand(seeds: string[], flags: FixFlags, io: CliIo): Promise<number> {
  if (seeds.length === 0) throw new UsageError('give at least one HOST:PORT');
  if (flags.dryRun && flags.yes) throw new UsageError('--dry-run and --yes contradict each other');
  const checked = parseSeeds(seeds);
  const named = flags.allow
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = named?.filter((id) => !isRemedyId(id)) ?? [];
  if (unknown.length > 0)
    throw new UsageError(
      `--allow: unknown remedy ${JSON.stringify(unknown.join(',').slice(0, 80))} (known: ${REMEDY_IDS.join(', ')})`,
    );
  const allow: RemedyId[] | undefined = named?.filter(isRemedyId);
  const policy: Policy = {
    mode: flags.yes ? 'auto' : 'dry-run',
    allow,
    settleMs: optionalWhole('--settle-ms', flags.settleMs, LIMITS.settleMs, 5000),
    budget: DEFAULT_BUDGET,
    settings: {
      ...DEFAULT_SETTINGS,
      ghostMinAgeMs: optionalWhole(
        '--ghost-min-age-ms',
        flags.ghostMinAgeMs,
        LIMITS.ageMs,
        DEFAULT_SETTINGS.ghostMinAgeMs,
      ),
      failedMasterMinAgeMs: optionalWhole(
        '--failed-master-min-age-ms',
        flags.failedMasterMinAgeMs,
        LIMITS.ageMs,
        DEFAULT_SETTINGS.failedMasterMinAgeMs,
      ),
      allowTakeover: Boolean(flags.takeover),
    },
  };
  const observe = connectionFrom(flags, io.env, io.warn);
  const result = await fixCluster(checked, {
    observe,
    policy,
    // A lock file on this host: runs from other hosts are not seen (the Lambda locks in DynamoDB).
    lock: tempFileLock,
    log: (line) => io.warn(line),
    progress: progressReporter({
      write: io.progress ?? ((text) => io.warn(text.trimEnd())),
      tty: Boolean(io.progressTty),
    }),
  });
  if (flags.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(renderFixText(result, { color: io.color }));
  return EXIT[result.after.status];
}
