import type { HarnessNode, TestCluster } from './cluster';
import { freePortOutsideEphemeral } from './ports';

/**
 * Ways production breaks a cluster, done with the same commands an interrupted reshard or an
 * operator would have sent. Each helper changes state only; tests observe the result.
 */
export class Faults {
  constructor(private readonly cluster: TestCluster) {}

  /** `SETSLOT slot IMPORTING` on `target` and/or `SETSLOT slot MIGRATING` on `owner` (redis-cli's order). */
  async openSlot(
    slot: number,
    owner: HarnessNode,
    target: HarnessNode,
    sides: { migrating?: boolean; importing?: boolean } = { migrating: true, importing: true },
  ): Promise<void> {
    if (sides.importing ?? true)
      await target.process.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', owner.id);
    if (sides.migrating ?? true)
      await owner.process.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
  }

  /**
   * Moves up to `count` keys of `slot` from `from` to `to` with `MIGRATE ... KEYS` (no REPLACE),
   * as `redis-cli --cluster reshard` does. Returns how many keys were moved.
   */
  async migrateKeys(
    slot: number,
    from: HarnessNode,
    to: HarnessNode,
    count = Number.MAX_SAFE_INTEGER,
  ): Promise<number> {
    let moved = 0;
    while (moved < count) {
      const batch = Math.min(100, count - moved);
      const keys = (await from.process.command('CLUSTER', 'GETKEYSINSLOT', slot, batch)) as string[];
      if (keys.length === 0) break;
      const auth = this.cluster.options.password ? ['AUTH', this.cluster.options.password] : [];
      await from.process.command('MIGRATE', '127.0.0.1', to.port, '', 0, 5000, ...auth, 'KEYS', ...keys);
      moved += keys.length;
    }
    return moved;
  }

  /** `SETSLOT slot NODE owner` on the given nodes only: a reshard that finalised on some nodes and died. */
  async setSlotOwner(slot: number, owner: HarnessNode, on: HarnessNode[]): Promise<void> {
    for (const n of on) await n.process.command('CLUSTER', 'SETSLOT', slot, 'NODE', owner.id);
  }

  /** `SETSLOT slot STABLE` on the given nodes. */
  async stabilize(slot: number, on: HarnessNode[]): Promise<void> {
    for (const n of on) await n.process.command('CLUSTER', 'SETSLOT', slot, 'STABLE');
  }

  /**
   * `DELSLOTSRANGE` on every live node, so no node claims the range any more. A node that already
   * dropped the range can learn it back from the gossip of one that has not yet (and then keeps it:
   * nothing ever tells it otherwise), so the owners go first, and any node still naming an owner
   * afterwards is told again until none does.
   */
  async delSlots(first: number, last: number): Promise<void> {
    const live = () => this.cluster.nodes.filter((x) => x.process.alive);
    const owned = async (n: HarnessNode) => {
      const slots = (await n.process.command('CLUSTER', 'SLOTS')) as [number, number][];
      return slots.some(([a, b]) => a <= last && b >= first);
    };
    const ownSlot = async (n: HarnessNode) =>
      String(await n.process.command('CLUSTER', 'NODES'))
        .split('\n')
        .some(
          (line) =>
            line.includes('myself') &&
            line
              .split(' ')
              .slice(8)
              .some((t) => /^\d/.test(t) && overlaps(t, first, last)),
        );
    const owners = [];
    for (const n of live()) if (await ownSlot(n)) owners.push(n);
    for (const n of owners) await n.process.command('CLUSTER', 'DELSLOTSRANGE', first, last);
    await this.cluster.waitFor(`no node names an owner of ${first}-${last}`, async () => {
      let clear = true;
      for (const n of live()) {
        if (!(await owned(n))) continue;
        clear = false;
        await this.dropRange(n, first, last);
      }
      return clear;
    });
  }

  /** DELSLOTSRANGE of the parts of `first`-`last` that `n` still assigns (it refuses unassigned slots). */
  private async dropRange(n: HarnessNode, first: number, last: number): Promise<void> {
    const slots = (await n.process.command('CLUSTER', 'SLOTS')) as [number, number][];
    for (const [a, b] of slots) {
      const [from, to] = [Math.max(a, first), Math.min(b, last)];
      if (from <= to) await n.process.command('CLUSTER', 'DELSLOTSRANGE', from, to);
    }
  }

  /** SIGKILL: the node is gone. */
  async kill(node: HarnessNode): Promise<void> {
    await node.process.kill();
  }

  /**
   * `CLUSTER FAILOVER` on `replica` (the coordinated kind an operator runs for an upgrade), until it
   * is master and every live node sees it so. A manual failover the master does not complete within
   * its own timeout (5 s: a busy host) is simply abandoned by the server, so it is asked again.
   */
  async manualFailover(replica: HarnessNode): Promise<void> {
    let askedAt = Number.NEGATIVE_INFINITY;
    await this.cluster.waitFor(
      `${replica.address} promoted by CLUSTER FAILOVER`,
      async () => {
        if (String(await replica.process.command('INFO', 'replication')).includes('role:master')) return true;
        if (Date.now() - askedAt > 6_000) {
          askedAt = Date.now();
          await replica.process.command('CLUSTER', 'FAILOVER');
        }
        return false;
      },
      60_000,
    );
    await this.everyLiveNode(`sees ${replica.address} as a master`, (flags) =>
      flags(replica.id).includes('master'),
    );
  }

  /**
   * Waits until `holds` is true of every live node's `CLUSTER NODES` (but `except`, a paused node that
   * would answer nothing), given the flags of a node id there and the id of its master. A minute at
   * most: on a loaded host (load 10-15 on 2 cores, other suites beside) one node's answers overran
   * the 5 s command timeout for 20 s in a row after a failover.
   */
  private async everyLiveNode(
    what: string,
    holds: (flags: (id: string) => string[], masterOf: (id: string) => string | undefined) => boolean,
    except?: HarnessNode,
  ) {
    await this.cluster.waitFor(
      `every live node ${what}`,
      async () => {
        for (const n of this.cluster.nodes.filter((x) => x.process.alive && x !== except)) {
          const lines = String(await n.process.command('CLUSTER', 'NODES')).split('\n');
          const line = (id: string) => lines.find((l) => l.startsWith(id)) ?? '';
          if (
            !holds(
              (id) => flagsOf(line(id)),
              (id) => line(id).split(' ')[3],
            )
          )
            // Which node disagrees, what it says of the others, and what its log last said: a timeout
            // names its cause.
            throw new Error(
              `${n.address} does not yet: ${lines.map((l) => l.split(' ').slice(1, 4).join(' ')).join('; ')}; log: ${n.process.logTail(3)}`,
            );
        }
        return true;
      },
      60_000,
    );
  }

  /**
   * SIGKILL of a master (mid-move, say), then waits until one of its replicas has taken over and
   * every live node sees the promotion and flags the dead master `fail`. Returns the promoted node.
   * The cluster needs a short `nodeTimeoutMs` for this to be quick.
   */
  async killAndFailover(master: HarnessNode): Promise<HarnessNode> {
    const replicas = await this.syncedReplicasOf(master);
    await this.kill(master);
    const promoted = await this.promotedAmong(replicas, master);
    await this.everyLiveNode(
      `sees ${promoted.address} promoted`,
      (flags) => flags(promoted.id).includes('master') && flags(master.id).includes('fail'),
    );
    return promoted;
  }

  /**
   * A master stalls past the node timeout (SIGSTOP, as a long MIGRATE of a big key, a fork or a paused
   * VM would stall it): waits until one of its replicas has taken over and every other node sees the
   * promotion and flags the stalled master `fail`; then SIGCONT, and waits until the old master has
   * rejoined as a replica of the promoted node, in sync with it (link up, no sync in progress), and
   * every node sees it so. Returns the promoted node. Needs a short `nodeTimeoutMs`.
   *
   * The stalled master pings no replica meanwhile (`repl-ping-replica-period` an hour, restored after):
   * resumed, it believes itself master until gossip tells it otherwise, and a ping then would put it
   * past the offset its heir took over, so its resync would be full (which escalates, by design: a
   * full resync proves nothing). On a loaded host that window was long enough to happen.
   */
  async stallAndFailover(master: HarnessNode): Promise<HarnessNode> {
    const replicas = await this.syncedReplicasOf(master);
    const period = (await master.process.command('CONFIG', 'GET', 'repl-ping-replica-period')) as string[];
    await master.process.command('CONFIG', 'SET', 'repl-ping-replica-period', '3600');
    this.pause(master);
    let promoted: HarnessNode;
    try {
      promoted = await this.promotedAmong(replicas, master);
      await this.everyLiveNode(
        `but the stalled ${master.address} sees ${promoted.address} promoted and flags the stalled node fail`,
        (flags) => flags(promoted.id).includes('master') && flags(master.id).includes('fail'),
        master,
      );
    } finally {
      this.resume(master);
    }
    await this.cluster.waitFor(`${master.address} replicates ${promoted.address}, in sync`, async () => {
      const replication = String(await master.process.command('INFO', 'replication'));
      return (
        replication.includes('role:slave') &&
        replication.includes(`master_port:${promoted.port}\r\n`) &&
        replication.includes('master_link_status:up') &&
        replication.includes('master_sync_in_progress:0')
      );
    });
    await this.everyLiveNode(
      `sees ${master.address} as a replica of ${promoted.address}`,
      (flags, masterOf) =>
        flags(master.id).includes('slave') &&
        !flags(master.id).some((f) => f === 'fail' || f === 'fail?') &&
        masterOf(master.id) === promoted.id,
    );
    await master.process.command('CONFIG', 'SET', 'repl-ping-replica-period', period[1] ?? '10');
    return promoted;
  }

  /**
   * The replicas of `master`, once they hold every write it acknowledged (the keys a move just brought
   * in among them): the case under test is a failover that lost nothing, not one that raced replication.
   */
  private async syncedReplicasOf(master: HarnessNode): Promise<HarnessNode[]> {
    const replicas = await this.replicasOf(master);
    if (replicas.length === 0) throw new Error(`${master.address} has no replica to take over`);
    const synced = Number(await master.process.command('WAIT', replicas.length, 10_000));
    if (synced < replicas.length)
      throw new Error(`${master.address}: only ${synced} of ${replicas.length} replica(s) caught up`);
    return replicas;
  }

  /** Waits until one of `replicas` of the (dead or stalled) `master` says it is a master; returns it. */
  private async promotedAmong(replicas: HarnessNode[], master: HarnessNode): Promise<HarnessNode> {
    let heir: HarnessNode | undefined;
    await this.cluster.waitFor(`a replica of ${master.address} promoted`, async () => {
      for (const r of replicas) {
        if (String(await r.process.command('INFO', 'replication')).includes('role:master')) heir = r;
      }
      return heir !== undefined;
    });
    return heir as HarnessNode;
  }

  /**
   * SIGKILL of a master and every replica of it, as when a whole shard's hosts are lost; waits until
   * every live node flags the master `fail`. Returns the killed nodes, master first.
   */
  async killShard(master: HarnessNode): Promise<HarnessNode[]> {
    const shard = [master, ...(await this.replicasOf(master))];
    for (const n of shard) await this.kill(n);
    await this.everyLiveNode(`flags ${master.address} fail`, (flags) => flags(master.id).includes('fail'));
    return shard;
  }

  /** Waits until every live node flags `node` (killed or paused) `fail`: the cluster has settled on it. */
  async awaitFlaggedFail(node: HarnessNode): Promise<void> {
    await this.everyLiveNode(`flags ${node.address} fail`, (flags) => flags(node.id).includes('fail'), node);
  }

  /** Replicas of `master`, as its own `CLUSTER NODES` lists them. */
  private async replicasOf(master: HarnessNode): Promise<HarnessNode[]> {
    const lines = String(await master.process.command('CLUSTER', 'NODES')).split('\n');
    return this.cluster.nodes.filter((n) =>
      lines.some((l) => l.startsWith(n.id) && l.split(' ')[3] === master.id),
    );
  }

  /** SIGSTOP: the node keeps its port open and answers nothing. */
  pause(node: HarnessNode): void {
    node.process.pause();
  }

  resume(node: HarnessNode): void {
    node.process.resume();
  }

  /**
   * Requires a password from now on on every live node (`masterauth` first so replication keeps
   * working). The harness's own clients reconnect with it.
   */
  async requirePassword(password: string): Promise<void> {
    for (const n of this.cluster.nodes.filter((x) => x.process.alive)) {
      await n.process.command('CONFIG', 'SET', 'masterauth', password);
      await n.process.command('CONFIG', 'SET', 'requirepass', password);
      n.process.disconnect();
      n.process.options.password = password;
    }
    this.cluster.options.password = password;
  }

  /**
   * An ACL user on every live node with `+@all` minus what `denied` names (e.g. `-cluster|setslot`,
   * `-@scripting`): how restricted accounts and managed services refuse commands.
   */
  async aclUserWithout(name: string, password: string, ...denied: string[]): Promise<void> {
    for (const n of this.cluster.nodes.filter((x) => x.process.alive)) {
      await n.process.command('ACL', 'SETUSER', name, 'on', `>${password}`, '~*', '&*', '+@all', ...denied);
    }
  }

  /**
   * Breaks a replica's replication link the way a rotated password does: a wrong `masterauth`, then
   * the link to its master is dropped, so every reconnection fails authentication. The cluster bus
   * is unaffected: only `master_link_status` goes down.
   */
  async breakReplicationAuth(replica: HarnessNode): Promise<void> {
    await replica.process.command('CONFIG', 'SET', 'masterauth', 'not-the-master-password');
    await replica.process.command('CLIENT', 'KILL', 'TYPE', 'master');
  }

  /**
   * `CLUSTER MEET` from `node` to a free port where nothing listens (data and bus port both free):
   * the node keeps a `handshake` entry for `cluster-node-timeout`. Returns the address it was sent to.
   */
  async meetNowhere(node: HarnessNode): Promise<string> {
    // Not from the range the harness starts servers on: a server another test starts there later
    // would answer this node's handshake, and the two clusters would merge.
    const [port, busPort] = [await freePortOutsideEphemeral(), await freePortOutsideEphemeral()];
    await node.process.command('CLUSTER', 'MEET', '127.0.0.1', port, busPort);
    return `127.0.0.1:${port}`;
  }
}

/** The flags of a `CLUSTER NODES` line (`fail` and `fail?` are different flags). */
export const flagsOf = (line: string): string[] => (line.split(' ')[2] ?? '').split(',');

/** Whether a `CLUSTER NODES` slot token (`5`, `0-99`) overlaps `first`-`last`. */
function overlaps(token: string, first: number, last: number): boolean {
  const [a, b] = token.split('-').map(Number);
  if (a === undefined || Number.isNaN(a)) return false;
  return a <= last && (b ?? a) >= first;
}
