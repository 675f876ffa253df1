import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type InfoSections,
  infoNumber,
  parseClusterInfo,
  parseInfo,
  parseReplicaLines,
  UNSECTIONED,
} from '../../../lib/topology';

/*
 * `redis7-*` fixtures were recorded from redis-server 7.0.15 in cluster mode (CRLF line endings as
 * sent on the wire): INFO of a master and two replicas, CLUSTER INFO healthy, with open slots and
 * after a failover. `hand-*` ones cover replication lines 7.0 does not print (old formats, IPv6).
 */
const fixtureDir = join(__dirname, '../../fixtures/info');
const fixtureNames = readdirSync(fixtureDir).filter((name) => name.endsWith('.txt'));
const fixture = (name: string): string => readFileSync(join(fixtureDir, name), 'utf8');

describe('parseInfo', () => {
  it('reads every section of a recorded master, with lower-cased names', () => {
    const info = parseInfo(fixture('redis7-info-master.txt'));
    expect(Object.keys(info)).toEqual([
      'server',
      'clients',
      'memory',
      'persistence',
      'stats',
      'replication',
      'cpu',
      'modules',
      'errorstats',
      'cluster',
      'keyspace',
    ]);
    expect(info.server?.redis_version).toBe('7.0.15');
    expect(info.server?.os).toMatch(/^Linux .+ x86_64$/);
    expect(info.server?.config_file).toBe('');
    expect(info.server?.executable).toMatch(/^\/.*redis-server$/);
    expect(info.modules).toEqual({});
    expect(info.errorstats?.errorstat_MOVED).toBe('count=31');
    expect(info.cluster?.cluster_enabled).toBe('1');
    expect(info.keyspace).toEqual({ db0: 'keys=19,expires=0,avg_ttl=0' });
    expect(Object.values(info).every((section) => Object.keys(section).every((key) => !/\s/.test(key)))).toBe(
      true,
    );
    expect(Object.values(info.server ?? {}).some((value) => value.endsWith('\r'))).toBe(false);
  });

  it('gives typed numbers only for plain decimal values', () => {
    const info = parseInfo(fixture('redis7-info-master.txt'));
    expect(infoNumber(info, 'memory', 'used_memory')).toBe(1933648);
    expect(infoNumber(info, 'Memory', 'mem_fragmentation_ratio')).toBe(4.17);
    expect(infoNumber(info, 'replication', 'second_repl_offset')).toBe(-1);
    expect(infoNumber(info, 'memory', 'used_memory_peak_perc')).toBeUndefined();
    expect(infoNumber(info, 'server', 'redis_version')).toBeUndefined();
    expect(infoNumber(info, 'server', 'config_file')).toBeUndefined();
    expect(infoNumber(info, 'nope', 'used_memory')).toBeUndefined();
    expect(infoNumber(info, 'memory', 'constructor')).toBeUndefined();
    expect(infoNumber({ x: { hex: '0x10', inf: 'Infinity', big: '1e999' } }, 'x', 'hex')).toBeUndefined();
    expect(infoNumber({ x: { inf: 'Infinity', big: '1e999' } }, 'x', 'big')).toBeUndefined();
    expect(infoNumber({ x: { inf: 'Infinity' } }, 'x', 'inf')).toBeUndefined();
  });

  // A regex with backtracking would take minutes here (the suite's timeout catches that), not a
  // threshold of milliseconds that a busy machine could miss.
  it('rejects a huge non-number', () => {
    expect(infoNumber({ x: { f: `${'1'.repeat(200_000)}x` } }, 'x', 'f')).toBeUndefined();
    expect(infoNumber({ x: { f: '1'.repeat(400) } }, 'x', 'f')).toBeUndefined();
    expect(infoNumber({ x: { f: '1'.repeat(15) } }, 'x', 'f')).toBe(111_111_111_111_111);
  });

  it('reads the replicas a master lists', () => {
    const info = parseInfo(fixture('redis7-info-master.txt'));
    expect(info.replication?.role).toBe('master');
    expect(parseReplicaLines(info.replication)).toEqual([
      { index: 0, ip: '127.0.0.1', port: 23104, state: 'online', offset: 14, lag: 1 },
    ]);
    const replica = parseInfo(fixture('redis7-info-replica.txt'));
    expect(replica.replication).toMatchObject({
      role: 'slave',
      master_port: '23102',
      master_link_status: 'up',
    });
    expect(parseReplicaLines(replica.replication)).toEqual([]);
    expect(parseReplicaLines(undefined)).toEqual([]);
  });

  it('orders replicas by number, keeps IPv6 and partial lines, and skips the pre-2.8 format', () => {
    const info = parseInfo(fixture('hand-info-replication-variants.txt'));
    expect(parseReplicaLines(info.replication)).toEqual([
      { index: 0, ip: '10.0.1.12', port: 6379, state: 'wait_bgsave', offset: 0, lag: 0 },
      { index: 2, ip: '2001:db8::14', port: 7006, state: 'online', offset: 15032, lag: 1 },
      { index: 10, ip: '10.0.1.13', port: 6379, state: 'online', offset: 15032 },
    ]);
    expect(info.keyspace).toEqual({
      db0: 'keys=10,expires=2,avg_ttl=3600',
      db3: 'keys=1,expires=0,avg_ttl=0',
    });
  });

  it('keeps lines before any header, merges repeated headers and ignores lines without a colon', () => {
    const info = parseInfo(
      'loose:1\n# Server\r\nredis_version:7.2.4\ngarbage\n\n# server\nuptime_in_days:3\n',
    );
    expect(info[UNSECTIONED]).toEqual({ loose: '1' });
    expect(info.server).toEqual({ redis_version: '7.2.4', uptime_in_days: '3' });
  });

  it('treats __proto__ and constructor as ordinary names', () => {
    const info = parseInfo('# __proto__\n__proto__:x\nconstructor:y\n');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(Object.keys(info)).toEqual(['__proto__']);
    expect(Object.keys(Object.values(info)[0] ?? {})).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(info))).toEqual(
      JSON.parse('{"__proto__":{"__proto__":"x","constructor":"y"}}'),
    );
  });
});

describe('parseClusterInfo', () => {
  it('reads recorded CLUSTER INFO', () => {
    const healthy = parseClusterInfo(fixture('redis7-cluster-info-healthy.txt'));
    expect(healthy).toMatchObject({
      cluster_state: 'ok',
      cluster_slots_assigned: '16384',
      cluster_slots_ok: '16384',
      cluster_known_nodes: '6',
      cluster_size: '3',
    });
    expect(Object.keys(healthy).length).toBeGreaterThan(15);
    const failover = parseClusterInfo(fixture('redis7-cluster-info-after-failover.txt'));
    expect(failover.cluster_current_epoch).toBe('8');
    expect(failover.total_cluster_links_buffer_limit_exceeded).toBe('0');
    expect(parseClusterInfo('')).toEqual({});
  });
});

const infoLines = fixtureNames.flatMap((name) => fixture(name).split('\n'));

function expectWellFormed(sections: InfoSections): void {
  for (const [name, fields] of Object.entries(sections)) {
    expect(name).toBe(name.toLowerCase());
    for (const [key, value] of Object.entries(fields)) {
      expect(typeof value).toBe('string');
      expect(key.length).toBeGreaterThan(0);
      infoNumber(sections, name, key);
    }
    for (const replica of parseReplicaLines(fields)) {
      expect(Number.isInteger(replica.port) && Number.isInteger(replica.index)).toBe(true);
    }
  }
  expect(JSON.parse(JSON.stringify(sections))).toEqual(sections);
}

describe('INFO parsers (fuzzed)', () => {
  it('never throw on arbitrary text', () => {
    const alphabet = fc.constantFrom(...'#:=,\r\n slave0ipportlag123.-'.split(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: alphabet, maxLength: 300 })),
        (text) => {
          expectWellFormed(parseInfo(text));
          const cluster = parseClusterInfo(text);
          expect(Object.values(cluster).every((value) => typeof value === 'string')).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throw on recorded lines cut, spliced and shuffled', () => {
    const line = fc
      .tuple(
        fc.constantFrom(...infoLines),
        fc.nat(),
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.boolean(),
      )
      .map(([text, at, insert, cut]) => {
        const i = at % (text.length + 1);
        return cut ? text.slice(0, i) : text.slice(0, i) + insert + text.slice(i);
      });
    fc.assert(
      fc.property(fc.array(fc.oneof(line, fc.constantFrom(...infoLines)), { maxLength: 30 }), (lines) => {
        const text = lines.join('\n');
        expectWellFormed(parseInfo(text));
        parseClusterInfo(text);
      }),
      { numRuns: 500 },
    );
  });

  it('never throw on input that is not text', () => {
    for (const junk of [undefined, null, 1, {}, []]) {
      expect(parseInfo(junk as unknown as string)).toEqual({});
      expect(parseClusterInfo(junk as unknown as string)).toEqual({});
      expect(parseReplicaLines(junk as unknown as Record<string, string>)).toEqual([]);
    }
  });
});

/** The parsers' definition: split into lines, trim, split each at its first colon, trim both sides. */
function definedInfo(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = Object.create(null);
  let current = UNSECTIONED;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      current = line.slice(1).trim().toLowerCase();
      sections[current] ??= Object.create(null);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    sections[current] ??= Object.create(null);
    (sections[current] as Record<string, string>)[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return sections;
}

function definedClusterInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** Fields and their order, as JSON writes them (a record's field order is what a snapshot keeps). */
const written = (value: unknown) => JSON.stringify(value);

describe('INFO parsers read in place what splitting and trimming reads', () => {
  it('on recorded replies, on fuzzed text with every kind of whitespace, and on hostile field names', () => {
    expect(fixtureNames.length).toBeGreaterThan(0);
    for (const name of fixtureNames) {
      const text = fixture(name);
      expect(written(parseInfo(text))).toBe(written(definedInfo(text)));
      expect(written(parseClusterInfo(text))).toBe(written(definedClusterInfo(text)));
    }
    const unit = fc.constantFrom(
      ...'#:=,\r\n\t\v\f slave0ipportlag123.-'.split(''),
      '\u00a0',
      '\u2028',
      '\ufeff',
      '\u3000',
      '\u0085',
      '__proto__',
      'constructor',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit, maxLength: 300 })), (text) => {
        expect(written(parseInfo(text))).toBe(written(definedInfo(text)));
        expect(written(parseClusterInfo(text))).toBe(written(definedClusterInfo(text)));
      }),
      { numRuns: 1000 },
    );
    const hostile = parseInfo('# Server\r\n__proto__:x\r\nconstructor:y\r\n# __proto__\r\na:b\r\n');
    expect(Object.getPrototypeOf(hostile.server)).toBe(Object.getPrototypeOf(hostile));
    expect(Object.getOwnPropertyDescriptor(hostile.server, '__proto__')?.value).toBe('x');
    expect(hostile.server?.constructor).toBe('y');
    expect(Object.keys(hostile)).toEqual(['server', '__proto__']);
    expect(parseInfo('a:b').hasOwnProperty).toBeUndefined();
  });
});
