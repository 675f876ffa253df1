import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_MEMORY_STEPS, checkMemoryMb } from '../../lib/config/check-memory';
import { loadConfig } from '../../lib/config/load';
import { buildStack, FLEET_EXAMPLE, fleetDeployment } from './build-stack';

const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the check function sized by the clusters it checks (expectedNodes)', () => {
  it('steps up with the largest cluster; a cluster that says nothing counts as up to 200 nodes', () => {
    expect(checkMemoryMb([])).toBe(512);
    expect(checkMemoryMb([{}, { expectedNodes: 6 }])).toBe(512);
    expect(checkMemoryMb([{ expectedNodes: 300 }])).toBe(1024);
    expect(checkMemoryMb([{ expectedNodes: 1000 }, { expectedNodes: 40 }])).toBe(1769);
    expect(checkMemoryMb([{ expectedNodes: 2000 }])).toBe(3008);
    for (const { upToNodes, memoryMb } of CHECK_MEMORY_STEPS)
      expect(checkMemoryMb([{ expectedNodes: upToNodes }])).toBe(memoryMb);
  });

  it("gives a placement's check function the memory of its largest cluster; the fix function keeps 512 MB", () => {
    const config = fleetDeployment();
    const big = config.clusters.find((c) => c.name === 'orders-cache');
    if (!big) throw new Error('the fleet example has orders-cache');
    big.expectedNodes = 1000;
    const { stack } = buildStack(config);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Properties: { FunctionName?: string; MemorySize?: number } }
    >;
    const memoryOf = (name: string) =>
      Object.values(resources).find((r) => r.Properties.FunctionName === name)?.Properties.MemorySize;
    const placement = stack.placements.find((p) => p.clusters.includes(big));
    const other = stack.placements.find((p) => !p.clusters.includes(big));
    if (!placement || !other) throw new Error('the fleet example has two placements');
    expect(memoryOf(`${config.stackName}-${placement.placement.name}-check`)).toBe(1769);
    expect(memoryOf(`${config.stackName}-${placement.placement.name}-fix`)).toBe(512);
    expect(memoryOf(`${config.stackName}-${other.placement.name}-check`)).toBe(512);
  });

  it('refuses a node count out of range, naming the field', () => {
    const file = JSON.parse(readFileSync(FLEET_EXAMPLE, 'utf8'));
    file.deployments[0].clusters[0].expectedNodes = 5000;
    const path = join(dir, 'big.json');
    writeFileSync(path, JSON.stringify(file));
    expect(() => loadConfig(path)).toThrow(
      /deployments\[0\]\.clusters\[0\]\.expectedNodes: expected at most 2000/,
    );
  });
});
