export { parseClusterNodes } from './cluster-nodes';
export { compareText } from './compare';
export {
  infoNumber,
  parseClusterInfo,
  parseInfo,
  parseReplicaLines,
  type ReplicaInfo,
  UNSECTIONED,
} from './info';
export { keySlot, tagForSlot } from './keyslot';
export {
  countSlots,
  formatRanges,
  intersectRanges,
  isSlot,
  mergeRanges,
  rangesContain,
  rangesFromSlots,
  slotsInRanges,
  subtractRanges,
} from './slots';
export * from './types';
