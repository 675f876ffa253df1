import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { recordPid } from './registry';

/**
 * The Python that has moto's server and cfn-lint: the machine's python3 when it has them, else the
 * virtual environment scripts/ensure-moto.sh fills under the project's cache.
 */
export function awsToolsPython(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const candidates = ['python3', join(cache, 'cluster-doctor-aws', 'bin', 'python')];
  for (const python of candidates) {
    if (python.includes('/') && !existsSync(python)) continue;
    const probe = spawnSync(python, ['-c', 'import moto.server, cfnlint'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  throw new Error('no Python with moto[server] and cfn-lint: run scripts/ensure-moto.sh (npm test does)');
}

/**
 * moto's server on a free loopback port: AWS's real wire protocols (JSON, query, REST), evaluating
 * DynamoDB condition expressions and SNS filter policies. Started by the test that needs it and
 * stopped by PID (recorded, so the run's teardown reaps it if the test dies).
 */
export class MotoServer {
  private constructor(
    readonly endpoint: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<MotoServer> {
    const python = awsToolsPython();
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, PYTHONUNBUFFERED: '1' },
      });
      if (child.pid) recordPid(child.pid, '');
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      const server = new MotoServer(`http://127.0.0.1:${port}`, child);
      try {
        await server.waitReady();
        return server;
      } catch (error) {
        lastError = new Error(`moto did not start on ${port}: ${stderr.trim().split('\n').pop() ?? ''}`, {
          cause: error,
        });
        await server.stop();
      }
    }
    throw lastError;
  }

  private async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`moto exited with ${this.child.exitCode}`);
      try {
        const response = await fetch(`${this.endpoint}/moto-api/`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`moto did not answer within ${timeoutMs} ms`);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
