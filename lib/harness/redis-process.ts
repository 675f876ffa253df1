import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './ports';
import { recordPid } from './registry';
import { defaultServer, type ServerSpec } from './servers';
import type { TestCertificates } from './tls';

export interface RedisProcessOptions {
  password?: string;
  tls?: TestCertificates;
  /** `cluster-node-timeout` in ms: short in tests so failures are detected quickly. */
  nodeTimeoutMs?: number;
  /** Extra `--name value` arguments. */
  extraArgs?: string[];
  /** Which build to start (default: `defaultServer()`, Debian's redis-server unless the environment names one). */
  server?: ServerSpec;
}

/** One redis-server in cluster mode that this process started and will stop by PID. */
export class RedisProcess {
  private client?: Redis;

  private constructor(
    readonly port: number,
    readonly busPort: number,
    readonly dir: string,
    private process: ChildProcess,
    readonly options: RedisProcessOptions,
    private readonly args: string[],
  ) {}

  /** The running process (a new one after `restart`). */
  get child(): ChildProcess {
    return this.process;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The build this process runs. */
  get server(): ServerSpec {
    return this.options.server ?? defaultServer();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a server on free ports, retrying when another process takes a port first. */
  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const [port, busPort] = [await freePort(), await freePort()];
      if (port === busPort) continue;
      try {
        return await RedisProcess.startOn(port, busPort, options);
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`could not start redis-server: ${String(lastError)}`);
  }

  private static async startOn(port: number, busPort: number, options: RedisProcessOptions) {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-node-'));
    const args = [
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-port',
      String(busPort),
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs ?? 2000),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      join(dir, 'redis.log'),
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      '--enable-debug-command',
      'local',
      // Replicas sync at once: the default waits 5 s for more replicas to share one diskless transfer.
      '--repl-diskless-sync-delay',
      '0',
    ];
    if (options.tls) {
      args.push(
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cluster',
        'yes',
        '--tls-replication',
        'yes',
        '--tls-cert-file',
        options.tls.certFile,
        '--tls-key-file',
        options.tls.keyFile,
        '--tls-ca-cert-file',
        options.tls.caFile,
        '--tls-auth-clients',
        'no',
      );
    } else {
      args.push('--port', String(port));
    }
    if (options.password) args.push('--requirepass', options.password, '--masterauth', options.password);
    args.push(...(options.extraArgs ?? []));
    const child = spawn((options.server ?? defaultServer()).server, args, { cwd: dir, stdio: 'ignore' });
    if (child.pid) recordPid(child.pid, dir);
    // A binary that cannot be started is reported by waitReady (the process is not alive), not thrown
    // from an event nobody listens to.
    let spawnError: Error | undefined;
    child.on('error', (error) => {
      spawnError = error;
    });
    const node = new RedisProcess(port, busPort, dir, child, options, args);
    try {
      await node.waitReady();
    } catch (error) {
      await node.stop();
      throw spawnError
        ? new Error(`could not start ${node.server.server}: ${spawnError.message}`, { cause: spawnError })
        : error;
    }
    return node;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`redis-server exited: ${this.logTail()}`);
      let answer: unknown;
      try {
        if ((await this.command('PING')) === 'PONG') answer = await this.command('INFO', 'server');
      } catch {
        this.disconnect();
      }
      if (typeof answer === 'string') {
        // The port was free when picked, but another server (a test running beside this one) may have
        // bound it first: this one then dies on EADDRINUSE while that one answers. Its cluster would
        // be someone else's, and its kill would close our connections mid-test ("Connection is closed").
        const pid = /process_id:(\d+)/.exec(answer)?.[1];
        if (pid === String(this.child.pid)) return;
        this.disconnect();
        throw new Error(`port ${this.port} is answered by another server (pid ${pid}), not ours`);
      }
      await sleep(20);
    }
    throw new Error(`redis-server on ${this.port} did not answer PING within 10 s`);
  }

  /** A direct (non-cluster) client to this node. Commands time out instead of hanging on a paused node. */
  redis(): Redis {
    if (!this.client) {
      this.client = new Redis({
        host: '127.0.0.1',
        port: this.port,
        password: this.options.password,
        tls: this.options.tls ? { ca: this.options.tls.ca } : undefined,
        lazyConnect: true,
        connectTimeout: 2000,
        commandTimeout: 5000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      this.client.on('error', () => {
        // failures surface on the command that needed the connection
      });
    }
    return this.client;
  }

  /** Sends one command and returns its reply. */
  async command(name: string, ...args: (string | number)[]): Promise<unknown> {
    const client = this.redis();
    if (client.status === 'wait') await client.connect();
    else if (client.status === 'end') {
      this.client = undefined;
      return this.command(name, ...args);
    }
    return client.call(name, ...args.map(String));
  }

  disconnect(): void {
    this.client?.disconnect();
    this.client = undefined;
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, like a node stuck in a long GC or swap. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** SIGKILL, like a crashed host. The directory stays until `stop`. */
  async kill(): Promise<void> {
    this.disconnect();
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGCONT');
    this.child.kill('SIGKILL');
    await exited;
  }

  /**
   * Starts the server again after `kill`, on the same ports and in the same directory: it comes back
   * with its `nodes.conf` (id, epoch, slots, migration marks) and whatever data it saved there, as a
   * crashed host brought back with its disk.
   */
  async restart(): Promise<void> {
    if (this.alive) throw new Error(`redis-server on ${this.port} is still running`);
    this.process = spawn(this.server.server, this.args, { cwd: this.dir, stdio: 'ignore' });
    if (this.process.pid) recordPid(this.process.pid, this.dir);
    await this.waitReady();
  }

  /** Kills the process by PID and removes its directory. Safe to call twice. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(lines = 5): string {
    try {
      return readFileSync(join(this.dir, 'redis.log'), 'utf8').trim().split('\n').slice(-lines).join(' | ');
    } catch {
      return '(no log)';
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
