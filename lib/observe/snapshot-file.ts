import { closeSync, openSync, writeSync } from 'node:fs';
import { LineTable } from '../topology/node-lines';
import type { ClusterNodeLine } from '../topology/types';
import { timesAt } from './times';
import type { NodeObservation, Snapshot } from './types';

/**
 * Snapshot files, version 2: every distinct line of `CLUSTER NODES` once (`lines`), and each node's
 * view as indexes into them with its own clock beside (`clusterNodes`, `clusterNodeTimes`). A
 * 1000-node cluster's views print a million lines but about two thousand distinct ones: the file is
 * tens of megabytes where version 1 (a whole entry per line, and the raw text) was 830 MB. It is
 * written in pieces, one line of text per distinct line and per node, so no string holds the whole
 * file. Version 1 files are still read (lib/observe/snapshot-schema.ts).
 */
export const SNAPSHOT_FILE_VERSION = 2;

/** One node of a version-2 file. */
export type FileNode = Omit<NodeObservation, 'clusterNodes' | 'clusterNodesRaw'> & {
  clusterNodes?: number[];
};

/** The pieces of the file's text, in order: joined, they are the whole file. */
export function* snapshotFileChunks(snapshot: Snapshot): Generator<string> {
  const { nodes, version: _version, ...header } = snapshot;
  const index = new Map<ClusterNodeLine, number>();
  const lines: ClusterNodeLine[] = [];
  // Lines of a version-1 snapshot (whole entries, none shared) are shared here by their fields.
  const table = snapshot.version === 1 ? new LineTable() : undefined;
  const indexesOf = (o: NodeObservation): number[] | undefined =>
    o.clusterNodes?.map((entry) => {
      const line = table ? table.intern(entry) : entry;
      let i = index.get(line);
      if (i === undefined) {
        i = lines.length;
        index.set(line, i);
        lines.push(line);
      }
      return i;
    });
  const fileNodes: FileNode[] = nodes.map((o) => {
    const { clusterNodes, clusterNodesRaw: _raw, clusterNodeTimes: _times, ...rest } = o;
    if (!clusterNodes) return rest;
    const times = { pingSent: [] as number[], pongRecv: [] as number[] };
    for (let i = 0; i < clusterNodes.length; i++) {
      const t = timesAt(o, i);
      times.pingSent.push(t.pingSent);
      times.pongRecv.push(t.pongRecv);
    }
    return { ...rest, clusterNodes: indexesOf(o), clusterNodeTimes: times };
  });
  const head = JSON.stringify({ version: SNAPSHOT_FILE_VERSION, ...header }, null, 2);
  yield `${head.slice(0, -2)},\n  "lines": [`;
  for (let i = 0; i < lines.length; i++) yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(lines[i])}`;
  yield '\n  ],\n  "nodes": [';
  for (let i = 0; i < fileNodes.length; i++)
    yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(fileNodes[i])}`;
  yield '\n  ]\n}\n';
}

/** The whole file as one string (tests; a large snapshot should go through {@link writeSnapshotFile}). */
export function snapshotFileText(snapshot: Snapshot): string {
  return [...snapshotFileChunks(snapshot)].join('');
}

/** Writes a snapshot file piece by piece: its size is bounded by the disk, not by a string's length. */
export function writeSnapshotFile(path: string, snapshot: Snapshot): void {
  const fd = openSync(path, 'w');
  try {
    let pending = '';
    const flush = () => {
      const bytes = Buffer.from(pending);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      pending = '';
    };
    for (const chunk of snapshotFileChunks(snapshot)) {
      pending += chunk;
      if (pending.length >= 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
}
