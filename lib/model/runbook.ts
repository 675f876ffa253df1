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
