export { FakeCluster, type FakeClusterNode } from './fake-cluster';
export type { FakeFault, FakeTopologyOptions } from './topology';
