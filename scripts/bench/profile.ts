import { readFileSync } from 'node:fs';

/** A V8 CPU profile (`node --cpu-prof`) boiled down: where the time went, by function and by file. */
export interface CpuProfileSummary {
  totalMs: number;
  /** Garbage collection, idle and the like are listed under their own names. */
  byFile: { file: string; ms: number }[];
  byFunction: { name: string; file: string; ms: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Self time per function and per source file of a profile taken on an unminified esbuild bundle:
 * esbuild marks where each source file starts with a `// path` comment, which names the file of a line.
 */
export function summarizeProfile(profilePath: string, bundlePath: string): CpuProfileSummary {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const fileOfLine: string[] = [];
  let current = '(bundle)';
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const marker = /^\s*\/\/ ((?:lib|bin|functions|node_modules)\/\S+)/.exec(line)?.[1];
      if (marker)
        current = marker.startsWith('node_modules/') ? marker.split('/').slice(0, 2).join('/') : marker;
      fileOfLine[i] = current;
    });
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, { name: string; file: string; ms: number }>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.endsWith(bundlePath)
      ? (fileOfLine[lineNumber] ?? '(bundle)')
      : url
        ? `node:${url.replace(/^node:/, '').split('/')[0]}`
        : functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const name = functionName || '(anonymous)';
    const key = `${name} ${file}`;
    const entry = byFunction.get(key) ?? { name, file, ms: 0 };
    entry.ms += ms;
    byFunction.set(key, entry);
  }
  return {
    totalMs,
    byFile: [...byFile].map(([file, ms]) => ({ file, ms })).sort((a, b) => b.ms - a.ms),
    byFunction: [...byFunction.values()].sort((a, b) => b.ms - a.ms),
  };
}
