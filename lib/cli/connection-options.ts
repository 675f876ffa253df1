import { readFileSync } from 'node:fs';
import type { ObserveOptions } from '../observe';
import { envVarName, LIMITS, label, parseAddressMap, UsageError, wholeNumber } from './options';

export { parseSeeds, UsageError } from './options';

export interface ConnectionFlags {
  user?: string;
  passwordEnv?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsInsecure?: boolean;
  timeoutMs?: string;
  maxNodeBytes?: string;
  map?: string[];
}

/** Turns the shared connection flags into observe options. The password only ever comes from the environment. */
export function connectionFrom(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  warn: (s: string) => void,
): ObserveOptions {
  let password: string | undefined;
  if (flags.passwordEnv !== undefined) {
    const name = envVarName('--password-env', flags.passwordEnv);
    password = env[name];
    if (password === undefined) throw new UsageError(`--password-env ${name}: that variable is not set`);
    if (password === '') throw new UsageError(`--password-env ${name}: that variable is empty`);
  }
  const timeoutMs =
    flags.timeoutMs === undefined
      ? undefined
      : wholeNumber('--timeout-ms', flags.timeoutMs, LIMITS.timeoutMs);
  const maxNodeBytes =
    flags.maxNodeBytes === undefined
      ? undefined
      : wholeNumber('--max-node-bytes', flags.maxNodeBytes, LIMITS.maxNodeBytes, 'bytes');
  const username = flags.user === undefined ? undefined : label('--user', flags.user, 256);
  if (flags.tlsInsecure) warn('warning: --tls-insecure: TLS certificates are NOT verified');
  let ca: string | undefined;
  if (flags.tlsCa) {
    try {
      ca = readFileSync(flags.tlsCa, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--tls-ca ${flags.tlsCa}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new UsageError(`--tls-ca ${flags.tlsCa}: not a PEM certificate`);
  }
  return {
    username,
    password,
    tls: flags.tls || flags.tlsCa || flags.tlsInsecure ? { ca, insecure: flags.tlsInsecure } : undefined,
    timeoutMs,
    maxNodeBytes,
    addressMap: parseAddressMap(flags.map ?? []),
  };
}
