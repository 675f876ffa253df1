import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { recordPid } from '../registry';
import type { FakeServerReady } from './server';
import type { FakeTopologyOptions } from './topology';

export interface FakeClusterNode {
  index: number;
  id: string;
  port: number;
  busPort: number;
  address: string;
  role: 'master' | 'replica';
  master?: number;
}

/**
 * A fake Redis Cluster for scale: one child process serving every node over RESP2 on its own loopback
 * port, with a consistent topology (every node's `CLUSTER NODES` lists every node) and, on request,
 * faults (lib/harness/fake/topology.ts). Replies copy a real node's (lib/harness/fake/recorded.ts).
 * For what this machine cannot run as real servers (a thousand nodes); every other test uses
 * `TestCluster`. Always `stop()` it.
 *
 * @example
 * const fake = await FakeCluster.start({ masters: 500 });
 * const snapshot = await observeCluster([fake.seeds[0]]);
 * await fake.stop();
 */
export class FakeCluster {
  private constructor(
    private readonly child: ChildProcess,
    readonly nodes: FakeClusterNode[],
    readonly options: FakeTopologyOptions,
  ) {}

  static async start(options: FakeTopologyOptions): Promise<FakeCluster> {
    const require = createRequire(__filename);
    const child = fork(join(__dirname, 'server.ts'), [], {
      // The child is TypeScript: tsx's loader, whatever runs this process (vitest, tsx, node).
      execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (child.pid) recordPid(child.pid, '');
    try {
      const ready = await new Promise<FakeServerReady>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          reject(new Error(`the fake cluster exited (${code ?? signal})`)),
        );
        child.once('message', (message) => {
          const m = message as FakeServerReady | { error: string };
          if ('error' in m) reject(new Error(`the fake cluster did not start: ${m.error}`));
          else resolve(m);
        });
        child.send(options);
      });
      const nodes = ready.nodes.map((n) => ({
        ...n,
        role: n.role as FakeClusterNode['role'],
        address: `127.0.0.1:${n.port}`,
      }));
      return new FakeCluster(child, nodes, options);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** `host:port` of every node, as a user would pass them. */
  get seeds(): string[] {
    return this.nodes.map((n) => n.address);
  }

  get masters(): FakeClusterNode[] {
    return this.nodes.filter((n) => n.role === 'master');
  }

  /** Kills the process (by its PID) and waits until it is gone. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await gone;
  }
}
