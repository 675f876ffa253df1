import type { InfoSections } from './types';

/** Section that holds `key:value` lines printed before any `# Section` header. */
export const UNSECTIONED = '';

/** One `slaveN:` line of `INFO replication` on a master. */
export interface ReplicaInfo {
  /** N in `slaveN`: the master's own numbering. */
  index: number;
  ip: string;
  port: number;
  /** `wait_bgsave`, `send_bulk`, `online`, ...; absent when the line had none. */
  state?: string;
  /** Replication offset the replica acknowledged. */
  offset?: number;
  /** Seconds since the replica's last acknowledgement. */
  lag?: number;
}

// Each digit run has one way to match: an ambiguous `\d+\.?\d*` backtracks quadratically on long input.
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;
const REPLICA_KEY = /^(?:slave|replica)(\d+)$/;

/**
 * Parses `INFO` output: `# Section` headers (names lower-cased) and `key:value` lines, split at the
 * first colon so values such as `executable:/usr/bin/redis-server` survive. Keyspace lines
 * (`db0:keys=10,expires=0,avg_ttl=0`) keep their value raw. Lines that are neither are ignored.
 * Lines and fields are trimmed as `String.prototype.trim` does. Never throws.
 *
 * Read in place, line by line, without splitting the text: a thousand nodes answer five INFO-style
 * texts each (test/unit/topology/info.test.ts holds it equal to splitting and trimming).
 *
 * @example infoNumber(parseInfo(text), 'replication', 'connected_slaves') // 1
 */
export function parseInfo(text: string): InfoSections {
  const sections: InfoSections = emptyRecord();
  if (typeof text !== 'string') return sections;
  let current = UNSECTIONED;
  let section: Record<string, string> | undefined;
  const sectionNamed = (name: string) => {
    let found = own(sections, name);
    if (!found) {
      found = emptyRecord();
      sections[name] = found;
    }
    return found;
  };
  eachTrimmedLine(text, (a, b) => {
    if (text.charCodeAt(a) === 35) {
      let h = a + 1;
      while (h < b && isSpace(text.charCodeAt(h))) h++;
      current = text.slice(h, b).toLowerCase();
      section = sectionNamed(current);
      return;
    }
    const colon = colonIn(text, a, b);
    if (colon <= a) return;
    section ??= sectionNamed(current);
    setField(section, text, a, colon, b);
  });
  return sections;
}

/**
 * Parses `CLUSTER INFO` output (`cluster_state:ok`, ...) into field -> raw value. Never throws.
 *
 * @example parseClusterInfo(text).cluster_state // 'ok'
 */
export function parseClusterInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = emptyRecord();
  if (typeof text !== 'string') return fields;
  eachTrimmedLine(text, (a, b) => {
    if (text.charCodeAt(a) === 35) return;
    const colon = colonIn(text, a, b);
    if (colon > a) setField(fields, text, a, colon, b);
  });
  return fields;
}

/** Calls `visit(a, b)` for each line `text[a, b)` that is not blank once trimmed as `trim` does, without copying it. */
function eachTrimmedLine(text: string, visit: (a: number, b: number) => void): void {
  const length = text.length;
  for (let start = 0; start <= length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    let a = start;
    let b = end;
    start = end + 1;
    while (a < b && isSpace(text.charCodeAt(a))) a++;
    while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
    if (a < b) visit(a, b);
  }
}

/** The first `:` in `text[a, b)`, or -1 (searched within the line only: a line without one costs its length). */
function colonIn(text: string, a: number, b: number): number {
  for (let i = a; i < b; i++) if (text.charCodeAt(i) === 58) return i;
  return -1;
}

/** `record[key] = value` for the trimmed line `text[a, b)` split at its colon `colon` (a < colon < b). */
function setField(record: Record<string, string>, text: string, a: number, colon: number, b: number): void {
  let keyEnd = colon;
  while (keyEnd > a && isSpace(text.charCodeAt(keyEnd - 1))) keyEnd--;
  let valueStart = colon + 1;
  while (valueStart < b && isSpace(text.charCodeAt(valueStart))) valueStart++;
  record[text.slice(a, keyEnd)] = text.slice(valueStart, b);
}

const SPACE = /\s/;

/** What `String.prototype.trim` removes: ASCII whitespace, and the Unicode spaces `\s` matches. */
function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  return c > 127 && SPACE.test(String.fromCharCode(c));
}

/**
 * A numeric INFO field, or `undefined` when the section or field is missing or the value is not a
 * plain decimal number (`100.00%`, `0x10` and empty values are not numbers here).
 *
 * @example infoNumber(sections, 'memory', 'used_memory') // 1510832
 */
export function infoNumber(sections: InfoSections, section: string, field: string): number | undefined {
  const value = own(own(sections, section.toLowerCase()), field);
  if (typeof value !== 'string' || !NUMBER.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * The replicas a master lists in its `replication` section
 * (`slave0:ip=127.0.0.1,port=7004,state=online,offset=1234,lag=0`), ordered by N. Lines without a
 * usable ip and port are skipped; other fields are optional because older servers omit `lag`.
 *
 * @example parseReplicaLines(parseInfo(text).replication)
 */
export function parseReplicaLines(replication: Record<string, string> | undefined): ReplicaInfo[] {
  const replicas: ReplicaInfo[] = [];
  if (!replication || typeof replication !== 'object') return replicas;
  for (const [key, value] of Object.entries(replication)) {
    const match = REPLICA_KEY.exec(key);
    if (!match || typeof value !== 'string') continue;
    const attributes = new Map<string, string>();
    for (const pair of value.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) attributes.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const ip = attributes.get('ip');
    const port = wholeNumber(attributes.get('port'));
    if (ip === undefined || port === undefined) continue;
    const replica: ReplicaInfo = { index: Number(match[1]), ip, port };
    const state = attributes.get('state');
    const offset = wholeNumber(attributes.get('offset'));
    const lag = wholeNumber(attributes.get('lag'));
    if (state !== undefined) replica.state = state;
    if (offset !== undefined) replica.offset = offset;
    if (lag !== undefined) replica.lag = lag;
    replicas.push(replica);
  }
  return replicas.sort((a, b) => a.index - b.index);
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Own property only, so `constructor` or `__proto__` in a snapshot never reach Object.prototype. */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && typeof record === 'object' && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Instances of a class whose prototype has no prototype and no properties: like `Object.create(null)`
 * they inherit nothing (a field named `__proto__` or `constructor` in a fuzzed or hostile reply is just
 * a field), but unlike it they start in V8's fast mode, where records with the same fields in the same
 * order share one layout; `Object.create(null)` starts as a hash table, grown field by field (a
 * thousand nodes' INFO sections were a tenth of what a check allocated).
 */
const NullRecord = function NullRecord() {} as unknown as new () => object;
Object.setPrototypeOf(NullRecord.prototype, null);
delete (NullRecord.prototype as { constructor?: unknown }).constructor;

/**
 * A prototype-less record (see {@link NullRecord}). JSON.stringify and deep equality treat it as a
 * plain object.
 */
export function emptyRecord<T>(): Record<string, T> {
  return new NullRecord() as Record<string, T>;
}

/** Which server a node runs, from `INFO server`. */
export interface ServerIdentity {
  name: 'redis' | 'valkey';
  version: string;
}

/**
 * The server and version a node runs. Valkey 8 keeps `redis_version` (7.2.4, for clients that
 * check it) and adds `server_name:valkey` and `valkey_version`: the Valkey fields win.
 */
export function serverOf(info: InfoSections | undefined): ServerIdentity | undefined {
  const server = info?.server;
  if (!server) return undefined;
  if (server.valkey_version) return { name: 'valkey', version: server.valkey_version };
  if (server.server_name === 'valkey' && server.redis_version)
    return { name: 'valkey', version: server.redis_version };
  if (server.redis_version) return { name: 'redis', version: server.redis_version };
  return undefined;
}

/** Compares dotted versions numerically: negative when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
