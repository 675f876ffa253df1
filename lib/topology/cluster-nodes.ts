import { isSlot, mergeRanges } from './slots';
import type { ClusterNodeEntry, ClusterNodesParse, ParseProblem, SlotRange } from './types';

const NODE_ID = /^[0-9a-f]{40}$/i;
const DIGITS = /^\d+$/;
const SLOT_TOKEN = /^(\d+)(?:-(\d+))?$/;
const MIGRATING_TOKEN = /^\[(\d+)->-([0-9a-f]{40})\]$/i;
const IMPORTING_TOKEN = /^\[(\d+)-<-([0-9a-f]{40})\]$/i;
/** Redis 3 printed no bus port: it was always the data port + 10000. */
const LEGACY_CPORT_OFFSET = 10000;
/** id, address, flags, master, ping-sent, pong-recv, config-epoch, link-state. */
const HEADER_FIELDS = 8;

/** A header field failed validation; caught per line and turned into a {@link ParseProblem}. */
class MalformedLineError extends Error {
  override readonly name = 'MalformedLineError';
}

interface Address {
  ip: string;
  port: number;
  cport: number;
  hostname?: string;
}

/**
 * Parses `CLUSTER NODES` output (Redis 3 to 7.x, Valkey) into plain entries.
 *
 * Never throws. A line whose header (the first 8 fields) is malformed is skipped and reported as a
 * problem. A line with a bad slot token keeps its entry with the slots that did parse, and each bad
 * token is reported: dropping the whole node for one bad token would make all of its slots look
 * uncovered, which is a louder and more wrong finding than one unreadable token.
 *
 * @example
 * const { entries, problems } = parseClusterNodes(await redis.call('CLUSTER', 'NODES'));
 */
export function parseClusterNodes(text: string): ClusterNodesParse {
  const entries: ClusterNodeEntry[] = [];
  const problems: ParseProblem[] = [];
  if (typeof text !== 'string') {
    // Snapshots are replayed from JSON, where the type system promises nothing.
    problems.push({ line: '', reason: `CLUSTER NODES output is a ${typeof text}, not text` });
    return { entries, problems };
  }
  const seen = new Set<string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    try {
      const entry = parseLine(line, problems);
      if (!entry) continue;
      if (seen.has(entry.id)) {
        problems.push({ line, reason: `duplicate node id ${entry.id}: line skipped` });
        continue;
      }
      seen.add(entry.id);
      entries.push(entry);
    } catch (error) {
      // Only reachable through a parser bug; the contract is still "never throw".
      const detail = error instanceof Error ? error.message : typeof error;
      problems.push({ line, reason: `unexpected parser error: ${detail}` });
    }
  }
  return { entries, problems };
}

/** One line (trimmed, not empty): its entry, or undefined with the reason in `problems`. */
export function parseLine(line: string, problems: ParseProblem[]): ClusterNodeEntry | undefined {
  const fields = line.split(/\s+/);
  if (fields.length < HEADER_FIELDS) {
    problems.push({ line, reason: `expected at least ${HEADER_FIELDS} fields, got ${fields.length}` });
    return undefined;
  }
  // The length check above makes the defaults unreachable; they only satisfy noUncheckedIndexedAccess.
  const [
    id = '',
    addressText = '',
    flagsText = '',
    masterText = '',
    pingText = '',
    pongText = '',
    epochText = '',
    linkText = '',
  ] = fields;
  try {
    if (!NODE_ID.test(id)) throw new MalformedLineError(`node id "${id}" is not 40 hex characters`);
    const address = parseAddress(addressText);
    const flags = flagsText.split(',').filter((flag) => flag !== '');
    if (flags.length === 0) throw new MalformedLineError(`flags field "${flagsText}" is empty`);
    if (masterText !== '-' && !NODE_ID.test(masterText)) {
      throw new MalformedLineError(`master field "${masterText}" is neither "-" nor a node id`);
    }
    if (linkText !== 'connected' && linkText !== 'disconnected') {
      throw new MalformedLineError(`link state "${linkText}" is neither connected nor disconnected`);
    }
    const entry: ClusterNodeEntry = {
      id,
      ip: address.ip,
      port: address.port,
      cport: address.cport,
      flags,
      role: roleOf(flags),
      myself: flags.includes('myself'),
      fail: flags.includes('fail'),
      pfail: flags.includes('fail?'),
      handshake: flags.includes('handshake'),
      noaddr: flags.includes('noaddr'),
      nofailover: flags.includes('nofailover'),
      masterId: masterText === '-' ? null : masterText,
      pingSent: counter(pingText, 'ping-sent'),
      pongRecv: counter(pongText, 'pong-recv'),
      configEpoch: counter(epochText, 'config-epoch'),
      linkState: linkText,
      slots: [],
      migrating: [],
      importing: [],
    };
    if (address.hostname !== undefined) entry.hostname = address.hostname;
    entry.slots = parseSlotTokens(fields.slice(HEADER_FIELDS), entry, line, problems);
    return entry;
  } catch (error) {
    if (!(error instanceof MalformedLineError)) throw error;
    problems.push({ line, reason: `${error.message}: line skipped` });
    return undefined;
  }
}

/**
 * `ip:port@cport[,hostname][,key=value...]`. The ip may be empty (`:0@0`, noaddr) or IPv6, with or
 * without brackets, so the port is whatever follows the last colon. Redis 7.2+/Valkey write aux
 * `key=value` fields (`shard-id=`, `tls-port=`) after the hostname, with an empty hostname slot
 * when there is none; the hostname is the first item that is neither empty nor `key=value`.
 */
function parseAddress(text: string): Address {
  const [endpoint = '', ...aux] = text.split(',');
  const at = endpoint.indexOf('@');
  const hostPort = at < 0 ? endpoint : endpoint.slice(0, at);
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) throw new MalformedLineError(`address "${text}" has no port`);
  let ip = hostPort.slice(0, colon);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const port = portNumber(hostPort.slice(colon + 1), text);
  // Port 0 is a node without an address (Redis 3 `:0`): there is no bus port to derive either.
  const legacyCport = port === 0 ? 0 : port + LEGACY_CPORT_OFFSET;
  const cport = at < 0 ? legacyCport : portNumber(endpoint.slice(at + 1), text);
  const address: Address = { ip, port, cport };
  const hostname = aux.find((item) => item !== '' && !item.includes('='));
  if (hostname !== undefined) address.hostname = hostname;
  return address;
}

function portNumber(text: string, address: string): number {
  const port = DIGITS.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 65535)) throw new MalformedLineError(`address "${address}" has a bad port "${text}"`);
  return port;
}

function counter(text: string, name: string): number {
  const value = DIGITS.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw new MalformedLineError(`${name} "${text}" is not a non-negative integer`);
  return value;
}

function roleOf(flags: readonly string[]): ClusterNodeEntry['role'] {
  const master = flags.includes('master');
  // Redis and Valkey print `slave`; `replica` is accepted in case a fork renames it.
  const replica = flags.includes('slave') || flags.includes('replica');
  if (master === replica) return 'unknown';
  return master ? 'master' : 'replica';
}

/** What slot tokens as a node prints them (`0-5460 [42->-id]`) claim, as its parsed line would say it. */
export function slotClaims(tokens: string): Pick<ClusterNodeEntry, 'slots' | 'migrating' | 'importing'> {
  const claims = { migrating: [], importing: [] } as unknown as ClusterNodeEntry;
  const slots = parseSlotTokens(
    tokens.split(' ').filter((t) => t !== ''),
    claims,
    '',
    [],
  );
  return { slots, migrating: claims.migrating, importing: claims.importing };
}

/** Fills `migrating`/`importing` of `entry`, returns its merged slots; bad tokens become problems. */
function parseSlotTokens(
  tokens: readonly string[],
  entry: ClusterNodeEntry,
  line: string,
  problems: ParseProblem[],
): SlotRange[] {
  const ranges: SlotRange[] = [];
  for (const token of tokens) {
    const plain = SLOT_TOKEN.exec(token);
    if (plain) {
      const first = Number(plain[1]);
      const last = plain[2] === undefined ? first : Number(plain[2]);
      if (isSlot(first) && isSlot(last) && first <= last) {
        ranges.push([first, last]);
        continue;
      }
    }
    const migrating = MIGRATING_TOKEN.exec(token);
    if (migrating && isSlot(Number(migrating[1]))) {
      entry.migrating.push({ slot: Number(migrating[1]), target: migrating[2] as string });
      continue;
    }
    const importing = IMPORTING_TOKEN.exec(token);
    if (importing && isSlot(Number(importing[1]))) {
      entry.importing.push({ slot: Number(importing[1]), source: importing[2] as string });
      continue;
    }
    problems.push({
      line,
      reason: `slot token "${token}" is not a slot, range or open-slot marker: token ignored`,
    });
  }
  return mergeRanges(ranges);
}
