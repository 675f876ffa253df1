import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClusterNodeEntry,
  type ClusterNodesParse,
  countSlots,
  mergeRanges,
  parseClusterNodes,
  type SlotRange,
} from '../../../lib/topology';

/*
 * Fixtures named `redis7-*` were recorded from a real redis-server 7.0.15 cluster (3 masters,
 * 3 replicas): healthy, with slots 100 and 200 MIGRATING/IMPORTING, after moving slot 100, with a
 * SIGSTOPped master (fail?, then fail and failover), a killed replica, cluster-announce-hostname,
 * cluster-replica-no-failover and a CLUSTER MEET to a dead port (handshake). `hand-*` fixtures are
 * written by hand for forms 7.0 cannot print: Redis 3 (no @cport), noaddr/noflags, IPv6, the aux
 * fields of Redis 7.2/Valkey 8, and malformed lines with CRLF endings.
 */
const fixtureDir = join(__dirname, '../../fixtures/cluster-nodes');
const fixtureNames = readdirSync(fixtureDir).filter((name) => name.endsWith('.txt'));
const fixture = (name: string): string => readFileSync(join(fixtureDir, name), 'utf8');
const parse = (name: string): ClusterNodesParse => parseClusterNodes(fixture(name));
const byPort = (result: ClusterNodesParse, port: number): ClusterNodeEntry | undefined =>
  result.entries.find((entry) => entry.port === port);

describe('parseClusterNodes on recorded Redis 7 output', () => {
  it.each(fixtureNames.filter((name) => name.startsWith('redis7-')))('%s parses without problems', (name) => {
    const { entries, problems } = parse(name);
    expect(problems).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(6);
    expect(entries.filter((entry) => entry.myself)).toHaveLength(1);
  });

  it('reads a healthy cluster completely', () => {
    const result = parse('redis7-healthy.txt');
    expect(result.entries.find((entry) => entry.myself)).toEqual({
      id: 'c1a5015eed5ee4535c2efb128c964488731c60bd',
      ip: '127.0.0.1',
      port: 23100,
      cport: 33100,
      flags: ['myself', 'master'],
      role: 'master',
      myself: true,
      fail: false,
      pfail: false,
      handshake: false,
      noaddr: false,
      nofailover: false,
      masterId: null,
      pingSent: 0,
      pongRecv: 1795509918000,
      configEpoch: 1,
      linkState: 'connected',
      slots: [[0, 5460]],
      migrating: [],
      importing: [],
    });
    const masters = result.entries.filter((entry) => entry.role === 'master');
    const replicas = result.entries.filter((entry) => entry.role === 'replica');
    expect(masters).toHaveLength(3);
    expect(countSlots(masters.flatMap((entry) => entry.slots))).toBe(16384);
    expect(replicas.map((entry) => masters.some((master) => master.id === entry.masterId))).toEqual([
      true,
      true,
      true,
    ]);
    expect(byPort(result, 23104)?.masterId).toBe('c1a5015eed5ee4535c2efb128c964488731c60bd');
    expect(result.entries.every((entry) => entry.hostname === undefined)).toBe(true);
  });

  it('reads migrating and importing markers from the myself line only', () => {
    const source = parse('redis7-migrating-source.txt');
    const target = parse('redis7-importing-target.txt');
    const targetId = '1354d8011eeabd7d413593ca39e4e5aa24c17d83';
    const sourceId = 'c1a5015eed5ee4535c2efb128c964488731c60bd';
    const me = source.entries.find((entry) => entry.myself);
    expect(me?.slots).toEqual([[0, 5460]]);
    expect(me?.migrating).toEqual([
      { slot: 100, target: targetId },
      { slot: 200, target: targetId },
    ]);
    expect(me?.importing).toEqual([]);
    expect(target.entries.find((entry) => entry.myself)?.importing).toEqual([
      { slot: 100, source: sourceId },
      { slot: 200, source: sourceId },
    ]);
    const others = [...source.entries, ...target.entries].filter((entry) => !entry.myself);
    expect(others.every((entry) => entry.migrating.length + entry.importing.length === 0)).toBe(true);
  });

  it('keeps a node that owns several ranges after a slot moved', () => {
    const result = parse('redis7-after-slot-move.txt');
    expect(byPort(result, 23100)?.slots).toEqual([
      [0, 99],
      [101, 5460],
    ]);
    expect(byPort(result, 23101)?.slots).toEqual([
      [100, 100],
      [5461, 10922],
    ]);
    expect(byPort(result, 23101)?.configEpoch).toBe(7);
  });

  it('tells fail? (this observer) from fail (agreed), and sees the failover', () => {
    const pfail = byPort(parse('redis7-master-pfail.txt'), 23102);
    expect(pfail).toMatchObject({ pfail: true, fail: false, role: 'master', linkState: 'connected' });
    expect(pfail?.flags).toEqual(['master', 'fail?']);
    expect(pfail?.pingSent).toBe(1795509969996);
    const replicaDown = byPort(parse('redis7-replica-fail.txt'), 23105);
    expect(replicaDown).toMatchObject({
      fail: true,
      pfail: false,
      role: 'replica',
      linkState: 'disconnected',
    });
    const after = parse('redis7-after-failover.txt');
    expect(byPort(after, 23102)).toMatchObject({ fail: true, role: 'master', slots: [] });
    expect(byPort(after, 23103)).toMatchObject({ role: 'master', slots: [[10923, 16383]], configEpoch: 8 });
  });

  it('reads announced hostnames, handshake and nofailover', () => {
    const named = parse('redis7-hostnames.txt');
    expect(named.entries.map((entry) => entry.hostname).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((n) => `node-${n}.redis.example.internal`),
    );
    expect(byPort(named, 23100)).toMatchObject({ ip: '127.0.0.1', cport: 33100 });
    const handshake = byPort(parse('redis7-handshake.txt'), 23190);
    expect(handshake).toMatchObject({
      handshake: true,
      role: 'unknown',
      linkState: 'disconnected',
      masterId: null,
      configEpoch: 0,
    });
    expect(handshake?.hostname).toBeUndefined();
    const me = parse('redis7-nofailover-replica-view.txt').entries.find((entry) => entry.myself);
    expect(me).toMatchObject({ nofailover: true, role: 'replica', flags: ['myself', 'slave', 'nofailover'] });
  });
});

describe('parseClusterNodes on hand-written forms', () => {
  it('derives the bus port of Redis 3 lines, and reads a `:0` node as having no address', () => {
    const result = parse('hand-redis3-no-cport.txt');
    expect(result.problems).toEqual([]);
    expect(byPort(result, 30001)).toMatchObject({ cport: 40001, slots: [[0, 5460]], myself: true });
    const noaddr = result.entries.find((entry) => entry.noaddr);
    expect(noaddr).toMatchObject({ ip: '', port: 0, cport: 0, fail: true, role: 'replica' });
  });

  it('reads `:0@0`, noflags and nofailover', () => {
    const result = parse('hand-redis6-noaddr-noflags.txt');
    expect(result.problems).toEqual([]);
    expect(result.entries.find((entry) => entry.noaddr)).toMatchObject({ ip: '', port: 0, cport: 0 });
    expect(result.entries.find((entry) => entry.flags.includes('noflags'))?.role).toBe('unknown');
    expect(result.entries.find((entry) => entry.nofailover)?.role).toBe('replica');
  });

  it('splits IPv6 addresses at the last colon, with or without brackets', () => {
    const result = parse('hand-ipv6.txt');
    expect(result.problems).toEqual([]);
    expect(result.entries.map(({ ip, port, cport }) => [ip, port, cport])).toEqual([
      ['::1', 7000, 17000],
      ['2001:db8::12', 7001, 17001],
      ['2001:db8::13', 7002, 17002],
      ['2001:db8::14', 7003, 17003],
      ['::ffff:10.0.0.5', 7004, 17004],
    ]);
    expect(byPort(result, 7003)?.hostname).toBe('redis-4.example.net');
  });

  it('takes the hostname from among Redis 7.2/Valkey aux fields and ignores key=value ones', () => {
    const result = parse('hand-valkey8-aux-fields.txt');
    expect(result.problems).toEqual([]);
    expect(result.entries.map((entry) => entry.hostname)).toEqual([
      undefined,
      'cache-b.example.net',
      'cache-c.example.net',
      undefined,
    ]);
    expect(byPort(result, 30004)).toMatchObject({ cport: 40004, role: 'replica' });
  });

  it('skips malformed lines with a reason, and keeps a node whose only fault is a slot token', () => {
    const result = parse('hand-crlf-malformed.txt');
    expect(result.entries.map((entry) => entry.port)).toEqual([30001, 30002, 30003, 30005]);
    expect(byPort(result, 30001)).toMatchObject({ slots: [[0, 5460]], linkState: 'connected' });
    expect(byPort(result, 30002)).toMatchObject({ role: 'master', flags: ['master', 'lazy-reshard'] });
    expect(byPort(result, 30003)?.slots).toEqual([[10923, 16383]]);
    expect(byPort(result, 30005)).toMatchObject({
      slots: [[700, 700]],
      migrating: [],
      importing: [{ slot: 5, source: 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca' }],
    });
    const reasons = result.problems.map((problem) => problem.reason);
    expect(reasons).toHaveLength(14);
    for (const expected of [
      'node id "07c37dfeb2352" is not 40 hex characters: line skipped',
      'slot token "16384" is not a slot, range or open-slot marker: token ignored',
      'slot token "600-500" is not a slot, range or open-slot marker: token ignored',
      'slot token "abc" is not a slot, range or open-slot marker: token ignored',
      'slot token "-5" is not a slot, range or open-slot marker: token ignored',
      'slot token "[800->-nothex]" is not a slot, range or open-slot marker: token ignored',
      'slot token "16380-16384" is not a slot, range or open-slot marker: token ignored',
      'slot token "[16384-<-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca]" is not a slot, range or open-slot marker: token ignored',
      'expected at least 8 fields, got 4',
      'ping-sent "soon" is not a non-negative integer: line skipped',
      'link state "flapping" is neither connected nor disconnected: line skipped',
      'address "127.0.0.1:70000@80000" has a bad port "70000": line skipped',
      'address "127.0.0.1" has no port: line skipped',
      'master field "not-a-master-id" is neither "-" nor a node id: line skipped',
    ]) {
      expect(reasons).toContain(expected);
    }
    expect(result.problems.every((problem) => !problem.line.includes('\r'))).toBe(true);
  });

  it('reports a repeated node id once and keeps the first line', () => {
    const line = fixture('redis7-healthy.txt').split('\n')[0] ?? '';
    const result = parseClusterNodes(`${line}\n${line.replace('10923-16383', '0-1')}\n`);
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]?.slots).toEqual([[10923, 16383]]);
    expect(result.problems[0]?.reason).toMatch(/^duplicate node id/);
  });

  it('returns nothing for empty input and a problem for input that is not text', () => {
    expect(parseClusterNodes('')).toEqual({ entries: [], problems: [] });
    expect(parseClusterNodes(' \r\n\n')).toEqual({ entries: [], problems: [] });
    for (const junk of [undefined, null, 42, {}, ['a'], Object.create(null)]) {
      const result = parseClusterNodes(junk as unknown as string);
      expect(result.entries).toEqual([]);
      expect(result.problems).toHaveLength(1);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Fuzzing

const fixtureLines = fixtureNames
  .flatMap((name) => fixture(name).split(/\r?\n/))
  .filter((line) => line.trim() !== '');

const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
const nodeId = fc.string({ unit: hex, minLength: 40, maxLength: 40 });

/** What must hold of any result, whatever the input. */
function expectWellFormed(text: string, result: ClusterNodesParse): void {
  const lines = text.split('\n').filter((line) => line.trim() !== '').length;
  expect(result.entries.length).toBeLessThanOrEqual(lines);
  expect(result.entries.length + result.problems.length).toBeGreaterThanOrEqual(lines);
  for (const entry of result.entries) {
    expect(entry.id).toMatch(/^[0-9a-f]{40}$/i);
    expect(entry.slots).toEqual(mergeRanges(entry.slots));
    for (const [first, last] of entry.slots) {
      expect(first).toBeGreaterThanOrEqual(0);
      expect(last).toBeLessThanOrEqual(16383);
      expect(first).toBeLessThanOrEqual(last);
    }
    for (const { slot } of [...entry.migrating, ...entry.importing]) {
      expect(slot >= 0 && slot <= 16383).toBe(true);
    }
    expect(Number.isInteger(entry.port) && Number.isInteger(entry.cport)).toBe(true);
  }
  // Snapshots are JSON: a NaN or an undefined that JSON would drop must not sneak in.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
}

/** Tokens near the edges of the slot space, where off-by-one errors live. */
const edge = fc.oneof(fc.integer({ min: -2, max: 3 }), fc.integer({ min: 16380, max: 16390 }), fc.nat());
const slotLikeToken = fc.oneof(
  edge.map(String),
  fc.tuple(edge, edge).map(([a, b]) => `${a}-${b}`),
  fc.tuple(edge, fc.constantFrom('->-', '-<-'), nodeId).map(([a, arrow, id]) => `[${a}${arrow}${id}]`),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ unit: 'binary' }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    offset: fc.nat(),
    text: fc.string({
      unit: fc.constantFrom('-', '[', ']', '<', '>', ':', '@', ',', '9', '\r', ' ', '\u0000'),
    }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), offset: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: slotLikeToken }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(line: string, mutations: readonly Mutation[]): string {
  const tokens = line.split(' ');
  for (const m of mutations) {
    if (tokens.length === 0) break;
    const i = m.at % tokens.length;
    const token = tokens[i] ?? '';
    if (m.kind === 'drop') tokens.splice(i, 1);
    else if (m.kind === 'duplicate') tokens.splice(i, 0, token);
    else if (m.kind === 'swap') {
      const j = m.to % tokens.length;
      tokens[i] = tokens[j] ?? '';
      tokens[j] = token;
    } else if (m.kind === 'replace') tokens[i] = m.text;
    else {
      const at = m.offset % (token.length + 1);
      tokens[i] = token.slice(0, at) + (m.kind === 'splice' ? m.text + token.slice(at) : '');
    }
  }
  return tokens.join(' ');
}

const mutatedLine = fc
  .tuple(fc.constantFrom(...fixtureLines), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([line, mutations]) => mutate(line, mutations));

describe('parseClusterNodes (fuzzed)', () => {
  it('never throws on arbitrary text', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdef-[]<>:@,. \r\nmyself,master,slave,fail?'.split(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: alphabet, maxLength: 400 })),
        (text) => {
          expectWellFormed(text, parseClusterNodes(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on recorded lines with tokens dropped, duplicated, swapped or garbled', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(mutatedLine, fc.constantFrom(...fixtureLines)), { maxLength: 12 }),
        (lines) => {
          const text = lines.join('\n');
          expectWellFormed(text, parseClusterNodes(text));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Round trip: render valid lines the way Redis does, parse them back

const slot = fc.integer({ min: 0, max: 16383 });
const slotRange = fc
  .tuple(slot, fc.integer({ min: 0, max: 300 }))
  .map(([first, length]): SlotRange => [first, Math.min(first + length, 16383)]);
const KNOWN_FLAGS = [
  'myself',
  'master',
  'slave',
  'fail?',
  'fail',
  'handshake',
  'noaddr',
  'nofailover',
  'noflags',
];
const flag = fc.oneof(fc.constantFrom(...KNOWN_FLAGS), fc.stringMatching(/^[a-z][a-z?-]{0,11}$/));

const validNode = fc.record({
  id: nodeId,
  ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('')),
  bracketIpv6: fc.boolean(),
  port: fc.integer({ min: 0, max: 65535 }),
  cport: fc.integer({ min: 0, max: 65535 }),
  legacy: fc.boolean(),
  hostname: fc.option(fc.domain(), { nil: undefined }),
  aux: fc.array(
    fc.constantFrom('tls-port=0', 'tls-port=6380', `shard-id=${'ab'.repeat(20)}`, 'nodename=cache-a'),
  ),
  flags: fc.uniqueArray(flag, { minLength: 1, maxLength: 5 }),
  masterId: fc.option(nodeId, { nil: null }),
  pingSent: fc.maxSafeNat(),
  pongRecv: fc.maxSafeNat(),
  configEpoch: fc.maxSafeNat(),
  linkState: fc.constantFrom('connected' as const, 'disconnected' as const),
  ranges: fc.array(slotRange, { maxLength: 8 }),
  migrating: fc.array(fc.record({ slot, target: nodeId }), { maxLength: 3 }),
  importing: fc.array(fc.record({ slot, source: nodeId }), { maxLength: 3 }),
  trailing: fc.constantFrom('', ' ', '  \t'),
});
type ValidNode = typeof validNode extends fc.Arbitrary<infer N> ? N : never;

function render(node: ValidNode): string {
  const ip = node.bracketIpv6 && node.ip.includes(':') ? `[${node.ip}]` : node.ip;
  const hasExtras = node.hostname !== undefined || node.aux.length > 0;
  const extras = hasExtras ? [node.hostname ?? '', ...node.aux].map((item) => `,${item}`).join('') : '';
  const address = `${ip}:${node.port}${node.legacy ? '' : `@${node.cport}`}${extras}`;
  return [
    node.id,
    address,
    node.flags.join(','),
    node.masterId ?? '-',
    node.pingSent,
    node.pongRecv,
    node.configEpoch,
    node.linkState,
    ...node.ranges.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)),
    ...node.migrating.map(({ slot, target }) => `[${slot}->-${target}]`),
    ...node.importing.map(({ slot, source }) => `[${slot}-<-${source}]`),
  ].join(' ');
}

function expected(node: ValidNode): ClusterNodeEntry {
  const master = node.flags.includes('master');
  const replica = node.flags.includes('slave') || node.flags.includes('replica');
  const entry: ClusterNodeEntry = {
    id: node.id,
    ip: node.ip,
    port: node.port,
    cport: node.legacy ? (node.port === 0 ? 0 : node.port + 10000) : node.cport,
    flags: node.flags,
    role: master === replica ? 'unknown' : master ? 'master' : 'replica',
    myself: node.flags.includes('myself'),
    fail: node.flags.includes('fail'),
    pfail: node.flags.includes('fail?'),
    handshake: node.flags.includes('handshake'),
    noaddr: node.flags.includes('noaddr'),
    nofailover: node.flags.includes('nofailover'),
    masterId: node.masterId,
    pingSent: node.pingSent,
    pongRecv: node.pongRecv,
    configEpoch: node.configEpoch,
    linkState: node.linkState,
    slots: mergeRanges(node.ranges),
    migrating: node.migrating,
    importing: node.importing,
  };
  if (node.hostname !== undefined) entry.hostname = node.hostname;
  return entry;
}

describe('parseClusterNodes (round trip)', () => {
  it('gives back what a valid rendering says, for whole outputs with LF or CRLF', () => {
    const nodes = fc.uniqueArray(validNode, { selector: (node) => node.id, maxLength: 8 });
    fc.assert(
      fc.property(nodes, fc.constantFrom('\n', '\r\n'), (list, eol) => {
        const text = list.map((node) => render(node) + node.trailing).join(eol) + eol;
        const result = parseClusterNodes(text);
        expect(result.problems).toEqual([]);
        expect(result.entries).toEqual(list.map(expected));
      }),
      { numRuns: 500 },
    );
  });
});
