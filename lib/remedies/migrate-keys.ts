import { BusyKeyError, type Executor } from './executor';
import { migrateAuth } from './support';

/** Where a long move stands: for a progress line. */
export interface MigrateProgress {
  slot: number;
  moved: number;
  /** Keys in the slot on the source when the move started (more may be written meanwhile). */
  total: number;
  elapsedMs: number;
}

export interface MigrateKeysOptions {
  slot: number;
  /** Address of the node that holds the keys (the migrating side). */
  source: string;
  /** Where MIGRATE connects, as the source reaches it. */
  to: { host: string; port: number };
  /** Keys per MIGRATE (the plan's `migrateBatch`): bounds how long one command blocks the source. */
  batch: number;
  /** Records each command sent, as the remedy reports them. */
  send: (address: string, ...args: (string | number)[]) => Promise<unknown>;
  exec: Executor;
  onProgress?: (progress: MigrateProgress) => void;
}

/**
 * MIGRATE commands in flight per round. The source runs them one after another either way; sent
 * together they leave it no idle round trip between batches (measured in docs/bench.md).
 */
export const MIGRATES_IN_FLIGHT = 8;

/**
 * Moves every key of `slot` from `source` to `to` with `MIGRATE ... KEYS`, never `REPLACE`, and
 * returns how many moved. Each round sends, on the one connection to the source, up to
 * {@link MIGRATES_IN_FLIGHT} MIGRATE batches of keys listed by the previous round, then the
 * `GETKEYSINSLOT` that lists the next ones: the source executes them in order, so the listing sees
 * the slot after the batches before it, and no key is listed twice.
 *
 * Guards kept: a key that already exists on the target is never overwritten (no REPLACE) and stops
 * the move with BUSYKEY once the round it was in has been answered (batches of that round already sent
 * run, and they cannot overwrite either); keys a MIGRATE did not move stay on the source, so the
 * runner's key ledger still counts every key.
 */
export async function migrateKeys(options: MigrateKeysOptions): Promise<number> {
  const { slot, source, to, batch, send, exec } = options;
  const started = Date.now();
  const list = () => exec.run(source, 'CLUSTER', 'GETKEYSINSLOT', slot, batch * MIGRATES_IN_FLIGHT);
  const total = options.onProgress ? Number(await exec.run(source, 'CLUSTER', 'COUNTKEYSINSLOT', slot)) : 0;
  let moved = 0;
  let keys = await list();
  while (Array.isArray(keys) && keys.length > 0) {
    const names = keys.map(String);
    const batches: string[][] = [];
    for (let i = 0; i < names.length; i += batch) batches.push(names.slice(i, i + batch));
    // Issued together, not awaited one by one: one connection carries them back to back.
    const migrations = batches.map((b) =>
      send(source, 'MIGRATE', to.host, to.port, '', 0, 10_000, ...migrateAuth(exec), 'KEYS', ...b),
    );
    const next = list();
    const answers = await Promise.allSettled([...migrations, next]);
    answers.slice(0, batches.length).forEach((answer, i) => {
      if (answer.status === 'fulfilled') moved += batches[i]?.length ?? 0;
    });
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    // BUSYKEY first: it is the answer that must stop the move, whatever else failed.
    const busy = answers.find((a) => a.status === 'rejected' && a.reason instanceof BusyKeyError);
    if (busy || failed) throw ((busy ?? failed) as PromiseRejectedResult).reason;
    options.onProgress?.({ slot, moved, total: Math.max(total, moved), elapsedMs: Date.now() - started });
    keys = (answers[answers.length - 1] as PromiseFulfilledResult<unknown>).value;
  }
  return moved;
}
