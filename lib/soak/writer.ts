import { sleep } from '../harness';
import type { SlotRouter } from './router';

/** What the writer knows of one key: its last acknowledged value and the highest value it sent. */
interface KeyRecord {
  acked?: number;
  attempted: number;
}

export interface WriterVerdict {
  acked: number;
  unacked: number;
  keys: number;
  /** Keys whose value read at the end is older than the last acknowledged one, or missing. */
  lost: { key: string; acked: number; read: string | null }[];
  unreadable: string[];
}

/**
 * One client writing in a loop over a fixed set of keys, a value that only grows. A write counts as
 * acknowledged when `SET` answered OK and `WAIT 1` said a replica has it: the durability a client
 * asks of Redis Cluster, whose replication is asynchronous (a plain OK may die with its master).
 * At the end each key must read its last acknowledged value, or a later value that was sent and
 * not acknowledged (it may have been applied).
 */
export class Writer {
  private readonly records = new Map<string, KeyRecord>();
  private seq = 0;
  private stopping = false;
  private loop?: Promise<void>;
  acked = 0;
  unacked = 0;

  constructor(
    private readonly router: SlotRouter,
    private readonly keys: string[],
  ) {}

  start(): void {
    this.loop = (async () => {
      let i = 0;
      while (!this.stopping) {
        const key = this.keys[i++ % this.keys.length] as string;
        await this.writeOnce(key);
        await sleep(2);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async writeOnce(key: string): Promise<void> {
    const value = ++this.seq;
    const record = this.records.get(key) ?? { attempted: 0 };
    record.attempted = value;
    this.records.set(key, record);
    try {
      const replicas = await this.router.route(key, async (client, asking) => {
        const pipeline = client.pipeline();
        if (asking) pipeline.asking();
        pipeline.set(key, String(value)).call('WAIT', '1', '1000');
        const replies = (await pipeline.exec()) ?? [];
        for (const [error] of replies) if (error) throw error;
        return Number(replies[replies.length - 1]?.[1]);
      });
      if (replicas >= 1) {
        record.acked = value;
        this.acked++;
      } else this.unacked++;
    } catch {
      this.unacked++;
      await this.router.refresh();
      await sleep(50);
    }
  }

  async verify(retryUntil: number): Promise<WriterVerdict> {
    const verdict: WriterVerdict = {
      acked: this.acked,
      unacked: this.unacked,
      keys: this.records.size,
      lost: [],
      unreadable: [],
    };
    await this.router.refresh();
    for (const [key, record] of this.records) {
      if (record.acked === undefined) continue;
      const read = await readWithRetries(this.router, key, retryUntil);
      if (read === undefined) {
        verdict.unreadable.push(key);
        continue;
      }
      const n = Number(read);
      if (read === null || !(n >= record.acked && n <= record.attempted))
        verdict.lost.push({ key, acked: record.acked, read });
    }
    return verdict;
  }
}

/**
 * GET through the router, retried across a refresh a few times while `retryUntil` (epoch ms) has not
 * passed, once after it (a shard that answers CLUSTERDOWN must not make the verdict wait an hour);
 * undefined when it never answered.
 */
export async function readWithRetries(
  router: SlotRouter,
  key: string,
  retryUntil: number,
): Promise<string | null | undefined> {
  for (let i = 0; i < 10; i++) {
    try {
      return await router.get(key);
    } catch {
      if (Date.now() > retryUntil) return undefined;
      await router.refresh();
      await sleep(200);
    }
  }
  return undefined;
}
