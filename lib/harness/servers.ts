import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** One server build the harness can start: a folder holding `*-server` and `*-cli`, or the PATH. */
export interface ServerSpec {
  /** `redis` or `valkey`, from the binary's own `--version`. */
  family: 'redis' | 'valkey';
  /** e.g. `7.0.15`. */
  version: string;
  /** e.g. `redis-7.0.15`: the name tests and the demo print. */
  label: string;
  /** Folder holding the binaries; undefined for the one found on the PATH (Debian's by default). */
  dir?: string;
  /** The server and client binaries (paths, or bare names looked up on the PATH). */
  server: string;
  cli: string;
  /** The client name a runbook for this server prints. */
  client: 'redis-cli' | 'valkey-cli';
}

/**
 * Names the environment variable that selects the server of the current process (the harness
 * default, one per vitest project, the demo's `--server`). Empty or unset: the PATH's redis-server.
 */
export const SERVER_ENV = 'CLUSTER_DOCTOR_SERVER';
/** A list of server folders (separated by `:` or `,`) replacing the discovered ones. */
export const SERVERS_ENV = 'CLUSTER_DOCTOR_SERVERS';

/** The prebuilt servers shipped beside the repository (`../shared/servers/<name>/bin`). */
export const SHARED_SERVERS_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'servers');

/** Where `../shared/servers/build.sh` (run by scripts/ensure-servers.sh) rebuilds a build that does not run here. */
const REBUILT_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cluster-doctor-servers');

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const cache = new Map<string, ServerSpec>();

/** Describes the server in `dir` (or on the PATH when `dir` is undefined) by asking it for its version. */
export function serverAt(folder?: string): ServerSpec {
  // Absolute: servers are spawned with their own data folder as working directory.
  const dir = folder ? resolve(folder) : undefined;
  const key = dir ?? '';
  const known = cache.get(key);
  if (known) return known;
  const pick = (names: string[]) => {
    if (!dir) return names[names.length - 1] as string;
    const found = names.map((n) => join(dir, n)).find((p) => isExecutable(p));
    if (!found) throw new Error(`no ${names.join(' or ')} in ${dir}`);
    return found;
  };
  // Valkey ships redis-* names as links too: prefer its own names when they are there.
  const server = pick(['valkey-server', 'redis-server']);
  const cli = pick(['valkey-cli', 'redis-cli']);
  const banner = execFileSync(server, ['--version'], { encoding: 'utf8' });
  const match = /^(Redis|Valkey) server v=(\S+)/i.exec(banner.trim());
  if (!match) throw new Error(`${server} --version printed no server version: ${banner.slice(0, 80)}`);
  const family = (match[1] as string).toLowerCase() as ServerSpec['family'];
  const version = match[2] as string;
  const client = family === 'valkey' ? 'valkey-cli' : 'redis-cli';
  const spec: ServerSpec = { family, version, label: `${family}-${version}`, dir, server, cli, client };
  cache.set(key, spec);
  return spec;
}

/** The server of this process: `$CLUSTER_DOCTOR_SERVER` when set, else Debian's on the PATH. */
export function defaultServer(): ServerSpec {
  const dir = process.env[SERVER_ENV];
  return serverAt(dir ? dir : undefined);
}

/**
 * Every server to test on: the PATH's redis-server first, then each `../shared/servers/* /bin` that
 * holds a server that runs here, or exactly the folders listed in `$CLUSTER_DOCTOR_SERVERS`.
 * `notes` says what was left out and why (a missing `../shared`, a binary that does not run).
 */
export function discoverServers(env: NodeJS.ProcessEnv = process.env): {
  servers: ServerSpec[];
  notes: string[];
} {
  const notes: string[] = [];
  const listed = env[SERVERS_ENV]?.split(/[:,]/).filter(Boolean);
  const dirs: (string | undefined)[] = [undefined];
  if (listed) dirs.push(...listed.map((d) => resolve(d)));
  else if (existsSync(SHARED_SERVERS_DIR)) {
    for (const name of readdirSync(SHARED_SERVERS_DIR).sort()) {
      const bin = join(SHARED_SERVERS_DIR, name, 'bin');
      if (!existsSync(bin)) continue;
      const rebuilt = join(REBUILT_DIR, name, 'bin');
      dirs.push(runs(bin) || !existsSync(rebuilt) ? bin : rebuilt);
    }
  } else notes.push(`no ${SHARED_SERVERS_DIR}: the real-cluster tests run on the PATH's redis-server alone`);
  const servers: ServerSpec[] = [];
  for (const dir of dirs) {
    try {
      const spec = serverAt(dir);
      if (!servers.some((s) => s.label === spec.label)) servers.push(spec);
    } catch (error) {
      notes.push(`skipping ${dir ?? 'the PATH'}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { servers, notes };
}

function runs(dir: string): boolean {
  try {
    serverAt(dir);
    return true;
  } catch {
    return false;
  }
}
