import type { ClusterNodeLine } from '../topology/types';
import type { NodeObservation } from './types';

/**
 * The observer's clock for the line at `index` of its view: from `clusterNodeTimes`, or from the line
 * itself in a snapshot of version 1 (whole entries), or 0 when neither says.
 */
export function timesAt(observation: NodeObservation, index: number): { pingSent: number; pongRecv: number } {
  const times = observation.clusterNodeTimes;
  if (times) return { pingSent: times.pingSent[index] ?? 0, pongRecv: times.pongRecv[index] ?? 0 };
  const line = observation.clusterNodes?.[index] as
    | (ClusterNodeLine & { pingSent?: number; pongRecv?: number })
    | undefined;
  return { pingSent: line?.pingSent ?? 0, pongRecv: line?.pongRecv ?? 0 };
}
