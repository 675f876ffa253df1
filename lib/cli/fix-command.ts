import { tempFileLock } from '../guard/lock';
import { DEFAULT_BUDGET, type Policy } from '../guard/types';
import { renderFixText } from '../notify/fix-text';
import { fixCluster } from '../remediate/fix';
import { isRemedyId, REMEDY_IDS, type RemedyId } from '../remedies/ids';
import { DEFAULT_SETTINGS } from '../remedies/types';
import { EXIT } from './check-command';
import { type ConnectionFlags, connectionFrom, parseSeeds, UsageError } from './connection-options';
import type { CliIo } from './io';

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

const whole = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag} ${value}: expected a whole number of milliseconds`);
  return n;
};

export async function fixCommand(seeds: string[], flags: FixFlags, io: CliIo): Promise<number> {
  if (seeds.length === 0) throw new UsageError('give at least one HOST:PORT');
  if (flags.dryRun && flags.yes) throw new UsageError('--dry-run and --yes contradict each other');
  const named = flags.allow
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = named?.filter((id) => !isRemedyId(id)) ?? [];
  if (unknown.length > 0)
    throw new UsageError(`--allow: unknown remedy ${unknown.join(', ')} (known: ${REMEDY_IDS.join(', ')})`);
  const allow: RemedyId[] | undefined = named?.filter(isRemedyId);
  const policy: Policy = {
    mode: flags.yes ? 'auto' : 'dry-run',
    allow,
    settleMs: whole('--settle-ms', flags.settleMs, 5000),
    budget: DEFAULT_BUDGET,
    settings: {
      ...DEFAULT_SETTINGS,
      ghostMinAgeMs: whole('--ghost-min-age-ms', flags.ghostMinAgeMs, DEFAULT_SETTINGS.ghostMinAgeMs),
      failedMasterMinAgeMs: whole(
        '--failed-master-min-age-ms',
        flags.failedMasterMinAgeMs,
        DEFAULT_SETTINGS.failedMasterMinAgeMs,
      ),
      allowTakeover: Boolean(flags.takeover),
    },
  };
  const observe = connectionFrom(flags, io.env, io.warn);
  const result = await fixCluster(parseSeeds(seeds), {
    observe,
    policy,
    // A lock file on this host: runs from other hosts are not seen (the Lambda locks in DynamoDB).
    lock: tempFileLock,
    log: (line) => io.warn(line),
  });
  if (flags.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(renderFixText(result, { color: io.color }));
  return EXIT[result.after.status];
}
