import { cli, clusterTool } from '../model/runbook';
import { infoNumber } from '../topology/info';
import { defineCheck } from './define';
import type { FindingDraft } from './types';

/** used_memory above this share of maxmemory. */
export const MEMORY_HEADROOM_RATIO = 0.9;

/**
 * A master using more than {@link MEMORY_HEADROOM_RATIO} of its `maxmemory` (when set): writes, and
 * slots migrated into it, fail with OOM under `noeviction`/`volatile-*`. Under an `allkeys-*`
 * policy a full master is a cache doing its job (it evicts to make room), so that case is `info`.
 */
export const memoryHeadroomLow = defineCheck({
  id: 'memory-headroom-low',
  severity: 'warning',
  title: 'Master close to maxmemory',
  check(view) {
    const findings: FindingDraft[] = [];
    for (const { observation, self } of view.observers) {
      if (self.role !== 'master' || !observation.info) continue;
      const used = infoNumber(observation.info, 'memory', 'used_memory');
      const max =
        infoNumber(observation.info, 'memory', 'maxmemory') ?? Number(observation.config?.maxmemory ?? 0);
      if (used === undefined || !(max > 0) || used <= MEMORY_HEADROOM_RATIO * max) continue;
      const policy =
        observation.info.memory?.maxmemory_policy ?? observation.config?.['maxmemory-policy'] ?? 'unknown';
      const evicts = policy.startsWith('allkeys-');
      const percent = Math.round((used / max) * 100);
      findings.push({
        severity: evicts ? 'info' : 'warning',
        summary: `master ${view.label(self.id)} uses ${percent}% of maxmemory (${used} of ${max} bytes, policy ${policy})${evicts ? ': it evicts keys to make room' : ': writes and slot migrations into it can fail with OOM'}`,
        nodes: [observation.address],
        evidence: {
          id: self.id,
          address: observation.address,
          used_memory: used,
          maxmemory: max,
          ratio: Number((used / max).toFixed(3)),
          maxmemory_policy: policy,
          threshold: MEMORY_HEADROOM_RATIO,
        },
        runbook: [
          cli(observation.address, 'INFO', 'memory'),
          cli(observation.address, 'MEMORY', 'DOCTOR'),
          `${cli(observation.address)} --bigkeys`,
          `Raise the limit if the host has room: ${cli(observation.address, 'CONFIG', 'SET', 'maxmemory', '<bytes>')}, or move slots away: ${clusterTool('rebalance', observation.address, '--cluster-simulate')}`,
        ],
      });
    }
    return findings;
  },
});
