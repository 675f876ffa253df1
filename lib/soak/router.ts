import Redis from 'ioredis';
import type { TestCluster } from '../harness';
import { keySlot } from '../topology/keyslot';
import { SLOT_COUNT } from '../topology/types';

/**
 * A minimal cluster client of its own, as an application's would be: a slot map from `CLUSTER SLOTS`,
 * `MOVED` updates it, `ASK` sends `ASKING` first. Its own connections, so the writer's `WAIT` and
 * `ASKING` never share a connection with the soak's other clients.
 */
export class SlotRouter {
  private readonly owners: (string | undefined)[] = new Array(SLOT_COUNT).fill(undefined);
  private readonly clients = new Map<string, Redis>();

  constructor(private readonly cluster: TestCluster) {}

  client(address: string): Redis {
    const existing = this.clients.get(address);
    if (existing && existing.status !== 'end') return existing;
    const [host, port] = address.split(':');
    const client = new Redis({
      host,
      port: Number(port),
      lazyConnect: true,
      connectTimeout: 1000,
      commandTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: true,
    });
    client.on('error', () => {
      // surfaces on the command that needed the connection
    });
    this.clients.set(address, client);
    return client;
  }

  /** The slot map as one live node answers it. */
  async refresh(): Promise<void> {
    for (const n of this.cluster.nodes.filter((x) => x.process.alive)) {
      try {
        const reply = (await this.client(n.address).call('CLUSTER', 'SLOTS')) as [
          number,
          number,
          [string, number],
        ][];
        this.owners.fill(undefined);
        for (const [start, end, [host, port]] of reply)
          for (let s = start; s <= end; s++) this.owners[s] = `${host}:${port}`;
        return;
      } catch {
        // try the next node
      }
    }
  }

  /**
   * Runs `send` on the node that serves `key`, following redirections. `send` gets the client and
   * whether `ASKING` must precede the command (it is one-shot, so it goes in the same pipeline).
   */
  async route<T>(
    key: string,
    send: (client: Redis, asking: boolean) => Promise<T>,
    attempts = 5,
  ): Promise<T> {
    const slot = keySlot(key);
    if (!this.owners[slot]) await this.refresh();
    let address = this.owners[slot];
    let asking = false;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (!address) throw new Error(`slot ${slot} has no owner in the map`);
      try {
        return await send(this.client(address), asking);
      } catch (error) {
        last = error;
        const message = error instanceof Error ? error.message : String(error);
        const redirect = /^(MOVED|ASK) \d+ (\S+)/.exec(message);
        if (!redirect) throw error;
        address = redirect[2] as string;
        asking = redirect[1] === 'ASK';
        if (!asking) this.owners[slot] = address;
      }
    }
    throw last;
  }

  async get(key: string): Promise<string | null> {
    return this.route(key, async (client, asking) => {
      if (!asking) return client.get(key);
      const replies = (await client.pipeline().asking().get(key).exec()) ?? [];
      const [error, value] = replies[1] ?? [new Error('no reply')];
      if (error) throw error;
      return value as string | null;
    });
  }

  close(): void {
    for (const c of this.clients.values()) c.disconnect();
    this.clients.clear();
  }
}
