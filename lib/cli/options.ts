import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The CLI's one validation layer: every option and environment value passes through a function here
 * before it reaches the library. A bad value is a {@link UsageError} (one line, exit 64). Values that
 * may hold a secret (seeds, address maps) are never repeated in the message.
 */

/** A flag the user got wrong: reported in one line, exit 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The report could not be saved where `--snapshot-out` said, although the path looked writable. */
export class SnapshotWriteError extends Error {
  override name = 'SnapshotWriteError';
}

export interface Range {
  min: number;
  max: number;
}

/**
 * Accepted ranges. Durations stay far below 2^31 ms: Node clamps a longer timer to 1 ms, which would
 * turn "wait 35 days" into "do not wait at all".
 */
export const LIMITS = {
  /** Deadline of one observation: 10 minutes at most. */
  timeoutMs: { min: 1, max: 600_000 },
  /** Time between the two observations of `fix`: the same 10 minutes the config allows. */
  settleMs: { min: 0, max: 600_000 },
  /** How long a node must have been silent or failed before a remedy acts: a week at most. */
  ageMs: { min: 0, max: 7 * 24 * 3_600_000 },
  /** Bytes one node may send in one observation: 64 KiB to 256 MiB. */
  maxNodeBytes: { min: 64 * 1024, max: 256 * 1024 * 1024 },
} as const satisfies Record<string, Range>;

/** A whole number written in plain decimal digits (no sign, exponent, hex or spaces) within `range`. */
export function wholeNumber(flag: string, value: string, range: Range, unit = 'milliseconds'): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max)
    throw new UsageError(
      `${flag} ${shown(value)}: expected a whole number of ${unit} from ${range.min} to ${range.max}`,
    );
  return n;
}

/** `wholeNumber` for an optional flag with a default. */
export function optionalWhole(
  flag: string,
  value: string | undefined,
  range: Range,
  fallback: number,
  unit?: string,
): number {
  return value === undefined ? fallback : wholeNumber(flag, value, range, unit);
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,32})?\]$/;

/** True for `host:port` with a DNS name or IPv4 host, or `[ipv6]:port`; port 1-65535. */
export function isHostPort(value: string): boolean {
  const at = value.lastIndexOf(':');
  if (at <= 0) return false;
  const host = value.slice(0, at);
  const portText = value.slice(at + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) return false;
  return host.startsWith('[') ? IPV6.test(host) : HOSTNAME.test(host);
}

/**
 * Validates a seed without ever echoing it: a mistyped seed may be a `redis://user:password@host`
 * URL. URLs are refused on purpose: they put the password on the command line (shell history, `ps`),
 * which `--password-env` exists to avoid.
 */
export function parseSeed(value: string, what: string): string {
  if (isHostPort(value)) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('@'))
    throw new UsageError(
      `${what}: URLs are not accepted (the value is not repeated here: it may hold a password); give HOST:PORT and the password with --password-env VAR`,
    );
  const hint = (value.match(/:/g) ?? []).length > 1 ? ' (write IPv6 addresses in brackets: [ADDR]:PORT)' : '';
  throw new UsageError(
    `${what}: expected HOST:PORT with a port from 1 to 65535${hint}; the value is not repeated here in case it holds a secret`,
  );
}

export function parseSeeds(seeds: string[]): string[] {
  if (seeds.length > 1000) throw new UsageError(`${seeds.length} seeds: expected at most 1000`);
  return seeds.map((seed, i) => parseSeed(seed, `seed ${i + 1} of ${seeds.length}`));
}

/** `--map ANNOUNCED=REACHABLE` pairs, both sides `host:port`. */
export function parseAddressMap(pairs: string[]): Record<string, string> | undefined {
  const map: Record<string, string> = {};
  pairs.forEach((pair, i) => {
    const parts = pair.split('=');
    const what = `--map ${i + 1} of ${pairs.length}`;
    if (parts.length !== 2) throw new UsageError(`${what}: expected ANNOUNCED_HOST:PORT=REACHABLE_HOST:PORT`);
    map[parseSeed(parts[0] ?? '', `${what}, announced side`)] = parseSeed(
      parts[1] ?? '',
      `${what}, reachable side`,
    );
  });
  return Object.keys(map).length > 0 ? map : undefined;
}

/** The name of an environment variable, as POSIX shells write them. */
export function envVarName(flag: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(value))
    throw new UsageError(`${flag}: expected the NAME of an environment variable (letters, digits, _)`);
  return value;
}

/** A short printable label (cluster name, ACL user): no control characters that could rewrite a terminal. */
export function label(flag: string, value: string, max: number): string {
  if (value.length === 0 || value.length > max || /[\p{Cc}\p{Cf}\s]/u.test(value))
    throw new UsageError(`${flag}: expected 1 to ${max} printable characters without spaces`);
  return value;
}

/**
 * Checks, before any work, that `path` can be written: its folder exists and is writable, and it is
 * not a folder itself. (The write itself can still fail later: the disk may fill.)
 */
export function writablePath(flag: string, path: string): string {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot write there (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${flag} ${path}: is a directory`);
    accessSync(path, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new UsageError(`${flag} ${path}: cannot write there (${code})`);
  }
  return path;
}

/** A value repeated in an error message: short, and printable. */
function shown(value: string): string {
  const clean = value.replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return JSON.stringify(clean.length > 24 ? `${clean.slice(0, 24)}...` : clean);
}
