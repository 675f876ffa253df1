import { readFileSync } from 'node:fs';
import type { ObserveOptions } from '../observe';

export interface ConnectionFlags {
  user?: string;
  passwordEnv?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsInsecure?: boolean;
  timeoutMs?: string;
  map?: string[];
}

/** A flag the user got wrong: reported in one line, exit 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Turns the shared connection flags into observe options. The password only ever comes from the environment. */
export function connectionFrom(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  warn: (s: string) => void,
): ObserveOptions {
  let password: string | undefined;
  if (flags.passwordEnv) {
    password = env[flags.passwordEnv];
    if (password === undefined)
      throw new UsageError(`--password-env ${flags.passwordEnv}: that variable is not set`);
  }
  const timeoutMs = flags.timeoutMs === undefined ? undefined : Number(flags.timeoutMs);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new UsageError(`--timeout-ms ${flags.timeoutMs}: expected a positive whole number of milliseconds`);
  }
  if (flags.tlsInsecure) warn('warning: --tls-insecure: TLS certificates are NOT verified');
  let ca: string | undefined;
  if (flags.tlsCa) {
    try {
      ca = readFileSync(flags.tlsCa, 'utf8');
    } catch (error) {
      throw new UsageError(`--tls-ca ${flags.tlsCa}: ${(error as Error).message}`);
    }
  }
  const addressMap: Record<string, string> = {};
  for (const pair of flags.map ?? []) {
    const [from, to] = pair.split('=');
    if (!from || !to) throw new UsageError(`--map ${pair}: expected ANNOUNCED_HOST:PORT=REACHABLE_HOST:PORT`);
    addressMap[from] = to;
  }
  return {
    username: flags.user,
    password,
    tls: flags.tls || flags.tlsCa || flags.tlsInsecure ? { ca, insecure: flags.tlsInsecure } : undefined,
    timeoutMs,
    addressMap: Object.keys(addressMap).length > 0 ? addressMap : undefined,
  };
}

/** Validates `HOST:PORT` seeds. */
export function parseSeeds(seeds: string[]): string[] {
  for (const seed of seeds) {
    const port = Number(seed.slice(seed.lastIndexOf(':') + 1));
    if (!seed.includes(':') || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new UsageError(`${seed}: expected HOST:PORT`);
    }
  }
  return seeds;
}
