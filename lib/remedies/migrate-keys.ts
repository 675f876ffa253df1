import {
  BusyKeyError,
  type CommandArg,
  DeadlineError,
  type Executor,
  type MigrateProgress,
  RemedyCommandError,
} from './executor';
import { BATCH_LIMITS, type BatchLimits, firstBatch, keysForBytes, nextBatch } from './migrate-batch';
import { migrateAuth } from './support';

export interface MigrateKeysOptions {
  slot: number;
  /** Address of the node that holds the keys (the migrating side). */
  source: string;
  /** Where MIGRATE connects, as the source reaches it. */
  to: { host: string; port: number };
  /**
   * Most keys per MIGRATE (the plan's `migrateBatch`); fewer when the keys are big or the source is
   * slow (see `migrate-batch.ts`): bounds how long one command blocks the source.
   */
  batch: number;
  /** Records each command sent, as the remedy reports them. */
  send: (address: string, ...args: CommandArg[]) => Promise<unknown>;
  exec: Executor;
  /** Keys in the slot on the source as the move starts, when already counted (for progress). */
  total?: number;
  onProgress?: (progress: MigrateProgress) => void;
}

/**
 * A round is up to this many keys, in up to {@link MIGRATES_PER_ROUND} MIGRATEs of the current batch
 * size, pipelined, so the source goes from one MIGRATE to the next without a round trip. MIGRATEs
 * stay small (the plan's 100 keys): measured on a loaded 2-core host, the source spent 15-18 us per
 * key in 100-key MIGRATEs and 20-27 us in batches of 250-1000, which make it wait for the target's
 * replies several times within one MIGRATE. Each round waits for the one before: with a second
 * round queued the source never waited for the checker, but on a 2-core host the move was slower
 * (the source, the target, their replicas and the checker share the CPU, and the second round's
 * listing doubles the names listed).
 */
const ROUND_KEYS = 800;
const MIGRATES_PER_ROUND = 8;

/** Keys whose `MEMORY USAGE` sizes the batches (one pipelined read before the first MIGRATE). */
const SAMPLE = 16;

/** What one round came back with. */
type Answer =
  | { ok: true; listing: string[]; slowest?: { keys: number; ms: number } }
  | { ok: false; error: unknown };

/**
 * Moves every key of `slot` from `source` to `to` with `MIGRATE ... KEYS`, never `REPLACE`, and
 * returns how many moved. Each round is `TIME`, then a few MIGRATEs of keys listed earlier, each
 * followed by `TIME`, then the `GETKEYSINSLOT` that lists what is left after them, all on one
 * connection: the source runs them in order, so the listing sees the slot after every batch and no
 * key is sent twice.
 * Batches are sized by `migrate-batch.ts` from a sample of key sizes and the source's own clock
 * around each MIGRATE (`TIME` between them), so the checker's scheduling does not count as the
 * source's time.
 *
 * Guards kept: a key that already exists on the target is never overwritten (no REPLACE) and stops
 * the move with BUSYKEY once every command of its round has been answered;
 * keys a MIGRATE did not move stay on the source, so the runner's key ledger still counts every key.
 * Past the run's deadline (`exec.deadline`, asked before each round) the move stops between rounds
 * with a {@link DeadlineError}: the slot keeps both marks, which the next run resumes.
 */
export async function migrateKeys(options: MigrateKeysOptions): Promise<number> {
  const { slot, source, to, send, exec } = options;
  const limits: BatchLimits = { ...BATCH_LIMITS, maxKeys: Math.max(1, options.batch) };
  const started = Date.now();
  const roundKeys = (size: number) =>
    size * Math.max(1, Math.min(MIGRATES_PER_ROUND, Math.floor(ROUND_KEYS / size)));
  // Enough for the next round, which may be up to twice this size.
  const list = (size: number) =>
    exec.runBuffers(source, 'CLUSTER', 'GETKEYSINSLOT', slot, roundKeys(Math.min(2 * size, limits.maxKeys)));
  const total =
    options.total ??
    (options.onProgress ? Number(await exec.run(source, 'CLUSTER', 'COUNTKEYSINSLOT', slot)) : 0);
  let listed = names(await list(limits.maxKeys));
  const byBytes = keysForBytes(await sampleSizes(exec, source, listed), limits);
  let size = firstBatch(byBytes, limits);
  const migrate = (keys: string[]) =>
    send(
      source,
      'MIGRATE',
      to.host,
      to.port,
      '',
      0,
      10_000,
      ...migrateAuth(exec),
      'KEYS',
      ...keys.map(bytes),
    );
  const round = async (keys: string[], size: number): Promise<Answer> => {
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += size) batches.push(keys.slice(i, i + size));
    const sent: Promise<unknown>[] = [exec.run(source, 'TIME')];
    for (const batch of batches) sent.push(migrate(batch), exec.run(source, 'TIME'));
    sent.push(list(size));
    return answerOf(await Promise.allSettled(sent), batches);
  };
  let moved = 0;
  for (;;) {
    const keys = listed.slice(0, roundKeys(size));
    if (keys.length === 0) return moved;
    const deadline = exec.deadline?.();
    if (deadline !== undefined && Date.now() >= deadline)
      throw new DeadlineError(
        `slot ${slot}: stopped at the run's deadline after moving ${moved} key(s), ${listed.length >= roundKeys(size) ? 'more' : listed.length} left on ${source}; the slot stays migrating and importing, which the next run resumes`,
        moved,
      );
    const answer = await round(keys, size);
    if (!answer.ok) throw answer.error;
    // A moved key never comes back to the source (writes to it are redirected): one listed again was
    // not moved, and something is wrong that this move does not understand.
    const sent = new Set(keys);
    const left = answer.listing.filter((k) => sent.has(k));
    if (left.length > 0) {
      throw new RemedyCommandError(
        `${source}: MIGRATE answered, but ${left.length} of its keys are still on the source: stopped, nothing overwritten or deleted`,
      );
    }
    moved += keys.length;
    if (answer.slowest) size = nextBatch(answer.slowest.keys, answer.slowest.ms, byBytes, limits);
    options.onProgress?.({ slot, moved, total: Math.max(total, moved), elapsedMs: Date.now() - started });
    listed = answer.listing;
  }
}

/**
 * A round's replies (`TIME`, then MIGRATE and `TIME` per batch, then the listing): the MIGRATEs'
 * outcome first, then the listing, and the batch that took the source longest per key, by its clock.
 */
function answerOf(replies: PromiseSettledResult<unknown>[], batches: string[][]): Answer {
  const failed = batches
    .map((_, i) => replies[1 + 2 * i])
    .filter((r): r is PromiseRejectedResult => r?.status === 'rejected');
  // BUSYKEY first: it is the answer that must stop the move, whatever else failed.
  const first = failed.find((r) => r.reason instanceof BusyKeyError) ?? failed[0];
  if (first) return { ok: false, error: first.reason };
  const listing = replies[replies.length - 1];
  if (listing?.status !== 'fulfilled')
    return { ok: false, error: listing?.reason ?? new Error('no listing') };
  let slowest: { keys: number; ms: number } | undefined;
  batches.forEach((batch, i) => {
    const [before, after] = [replies[2 * i], replies[2 * i + 2]];
    const us =
      before?.status === 'fulfilled' && after?.status === 'fulfilled'
        ? micros(after.value) - micros(before.value)
        : Number.NaN;
    // No usable clock (TIME refused, a clock step): that batch says nothing of the pace.
    if (us >= 0 && (!slowest || us / 1000 / batch.length > slowest.ms / slowest.keys))
      slowest = { keys: batch.length, ms: us / 1000 };
  });
  return { ok: true, listing: names(listing.value), slowest };
}

/** Sizes of a few keys, or none when the source refuses `MEMORY USAGE` (ACLs, managed services). */
async function sampleSizes(exec: Executor, source: string, keys: string[]): Promise<number[]> {
  const sample = keys.slice(0, SAMPLE);
  try {
    const sizes = await Promise.all(sample.map((k) => exec.run(source, 'MEMORY', 'USAGE', bytes(k))));
    return sizes.map(Number).filter((n) => Number.isFinite(n));
  } catch {
    return [];
  }
}

/**
 * Key names are kept as strings of their bytes (latin1: one character per byte, any byte allowed), so
 * the sets and filters above compare them exactly, and {@link bytes} gives back what Redis sent. A name
 * that is not UTF-8 (binary keys exist) moves like any other.
 */
const names = (reply: unknown): string[] =>
  Array.isArray(reply) ? reply.map((k) => (Buffer.isBuffer(k) ? k.toString('latin1') : String(k))) : [];

const bytes = (name: string): Buffer => Buffer.from(name, 'latin1');

/** `TIME`'s reply ([seconds, microseconds]) in microseconds; NaN for anything else. */
const micros = (reply: unknown): number =>
  Array.isArray(reply) ? Number(reply[0]) * 1_000_000 + Number(reply[1]) : Number.NaN;
