import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClusterState, emptyState, type StateStore } from './types';

/** Local state: one JSON file per cluster, written atomically (write then rename). */
export class FileStateStore implements StateStore {
  constructor(private readonly dir: string) {}

  private path(cluster: string): string {
    return join(this.dir, `${cluster.replace(/[^a-zA-Z0-9_.-]/g, '_')}.state.json`);
  }

  async load(cluster: string): Promise<ClusterState> {
    try {
      return JSON.parse(readFileSync(this.path(cluster), 'utf8')) as ClusterState;
    } catch {
      return emptyState();
    }
  }

  async save(cluster: string, state: ClusterState): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const path = this.path(cluster);
    writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${path}.tmp`, path);
  }
}
