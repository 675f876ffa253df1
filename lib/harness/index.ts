export { type ClusterOptions, type HarnessNode, TestCluster } from './cluster';
export { Faults } from './faults';
export { type KeyLedger, keyLedger, keysInSlot, loadKeys, writeKeys } from './keys';
export { RedisProcess, sleep } from './redis-process';
export { reapAll } from './registry';
export {
  defaultServer,
  discoverServers,
  SERVER_ENV,
  SERVERS_ENV,
  type ServerSpec,
  serverAt,
} from './servers';
