import { splitAddress } from '../observe/connection';

/**
 * A `redis-cli` command line for a node. Connection flags for auth/TLS are left to the reader's
 * environment (`REDISCLI_AUTH`, `--tls`): a runbook never carries a secret.
 */
export function cli(address: string, ...args: (string | number)[]): string {
  const { host, port } = splitAddress(address);
  return ['redis-cli', '-h', host, '-p', String(port), ...args.map(String)].join(' ');
}

/** `redis-cli --cluster <verb> host:port`. */
export function clusterTool(verb: string, address: string, ...args: string[]): string {
  return ['redis-cli', '--cluster', verb, address, ...args].join(' ');
}

/**
 * The client a runbook should name: `valkey-cli` when every node that said runs Valkey (it ships
 * `redis-cli` only as a compatibility link, and its packages often not even that), else `redis-cli`,
 * which speaks to both.
 */
export function clientFor(servers: ({ name: string } | undefined)[]): 'redis-cli' | 'valkey-cli' {
  const named = servers.filter((s) => s !== undefined);
  return named.length > 0 && named.every((s) => s.name === 'valkey') ? 'valkey-cli' : 'redis-cli';
}

/** Runbook lines written for `redis-cli`, as the cluster's own client would be typed. */
export function withClient(lines: string[], client: 'redis-cli' | 'valkey-cli'): string[] {
  return client === 'redis-cli' ? lines : lines.map((line) => line.replace(/\bredis-cli\b/g, client));
}
