import { type ChildProcess, fork } from 'node:child_process';
import { connect, createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { BenchError, type Sample, summarize } from './measure';

/**
 * Forwards every chunk from `from` to `to` after `delayMs`. Order is kept because Node fires timers of
 * equal duration in the order they were set. No backpressure: the bench's traffic is small.
 */
function forwardDelayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}

/**
 * A TCP proxy on a free loopback port to `127.0.0.1:targetPort` that delays each direction by
 * `delayMs`: about `2 * delayMs` per round trip, like a link to another host.
 */
export function listenDelayProxy(targetPort: number, delayMs: number): Promise<Server> {
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs would add tens of ms to small replies.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    forwardDelayed(client, upstream, delayMs);
    forwardDelayed(upstream, client, delayMs);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export interface ProxyRequest {
  targets: number[];
  delayMs: number;
}

export interface ProxyReply {
  /** Proxy port per target port, in the order of `targets`. */
  ports: number[];
}

/** The delay proxies of one cluster, running in a child process so they never share a CPU thread with what is measured. */
export class ProxyFleet {
  private constructor(
    private readonly child: ChildProcess,
    /** Real port -> proxy port. */
    readonly ports: Map<number, number>,
  ) {}

  static async start(targets: number[], delayMs: number): Promise<ProxyFleet> {
    // fork reuses this process's execArgv, so tsx's loader runs the TypeScript child too.
    const child = fork(join(__dirname, 'proxy-process.ts'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const reply = await new Promise<ProxyReply>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ProxyReply));
      child.once('error', reject);
      child.once('exit', (code) => reject(new BenchError(`the delay proxy process exited with ${code}`)));
      child.send({ targets, delayMs } satisfies ProxyRequest);
    }).catch((error: unknown) => {
      child.kill();
      throw error;
    });
    return new ProxyFleet(child, new Map(targets.map((t, i) => [t, reply.ports[i] as number])));
  }

  proxyFor(port: number): number {
    const proxy = this.ports.get(port);
    if (proxy === undefined) throw new BenchError(`no delay proxy for port ${port}`);
    return proxy;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}

/** Round trip of `PING` on one connection, ms: what a client sees of the link. */
export async function pingRttMs(port: number, count = 50): Promise<Sample> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  let failed: Error | undefined;
  let pending: (() => void) | undefined;
  let reply = '';
  socket.on('error', (error) => {
    failed = error;
    pending?.();
  });
  socket.on('data', (chunk: Buffer) => {
    reply += chunk.toString('latin1');
    if (reply.includes('\r\n')) {
      reply = '';
      pending?.();
    }
  });
  const ping = () =>
    new Promise<void>((resolve, reject) => {
      pending = () => (failed ? reject(failed) : resolve());
      socket.write('PING\r\n');
    });
  const times: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await ping();
      times.push(performance.now() - started);
    }
  } finally {
    socket.destroy();
  }
  return summarize(times);
}
