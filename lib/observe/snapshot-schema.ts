import { z } from 'zod';
import { LineTable } from '../topology/node-lines';
import { type ClusterNodeLine, SLOT_COUNT } from '../topology/types';
import type { NodeObservation, Snapshot } from './types';

/**
 * A snapshot file as `--from-snapshot` reads it, version 1 or 2 (lib/observe/snapshot-file.ts): arrives
 * as `unknown`, leaves as a {@link Snapshot} or a one-line reason. Bounds keep a hostile file from
 * making the checks do absurd work; they are far above any real cluster (Redis Cluster tops out
 * around 1 000 nodes, whose views print a million lines, about two thousand of them distinct).
 */

/** Most nodes in a snapshot, and most lines in one node's view. */
const MAX_NODES = 5000;
/** Most distinct lines in a version-2 file, and most lines over all its views (a 2000-node full mesh). */
const MAX_LINES = 1_000_000;
const MAX_SIGHTINGS = 4_000_000;

const slot = z
  .int()
  .min(0)
  .max(SLOT_COUNT - 1);
const port = z.int().min(0).max(65535);
const shortText = z.string().max(1024);
const nodeId = z.string().max(64);
const counter = z.number().finite();

const clusterNodeLine = z.object({
  id: nodeId,
  ip: shortText,
  port,
  cport: port,
  hostname: shortText.optional(),
  flags: z.array(shortText).max(32),
  role: z.enum(['master', 'replica', 'unknown']),
  myself: z.boolean(),
  fail: z.boolean(),
  pfail: z.boolean(),
  handshake: z.boolean(),
  noaddr: z.boolean(),
  nofailover: z.boolean(),
  masterId: nodeId.nullable(),
  configEpoch: counter,
  linkState: z.enum(['connected', 'disconnected']),
  slots: z
    .array(z.tuple([slot, slot]).refine(([a, b]) => a <= b, 'expected [first, last] with first <= last'))
    .max(SLOT_COUNT),
  migrating: z.array(z.object({ slot, target: nodeId })).max(SLOT_COUNT),
  importing: z.array(z.object({ slot, source: nodeId })).max(SLOT_COUNT),
});
/** Version 1: a whole entry per line, the observer's clock in it. */
const clusterNodeEntry = clusterNodeLine.extend({ pingSent: counter, pongRecv: counter });

const fields = z.record(z.string(), z.string());

const observationFields = {
  address: shortText.min(1),
  announced: shortText.optional(),
  id: nodeId.optional(),
  reachable: z.boolean(),
  error: z
    .object({
      kind: z.enum(['timeout', 'refused', 'auth', 'tls', 'protocol', 'restricted', 'other']),
      message: z.string().max(4096),
    })
    .optional(),
  latencyMs: z.number().min(0).optional(),
  parseProblems: z.array(z.object({ line: z.string(), reason: z.string() })).optional(),
  clusterInfo: fields.optional(),
  info: z.record(z.string(), fields).optional(),
  server: z.object({ name: z.enum(['redis', 'valkey']), version: shortText }).optional(),
  config: fields.optional(),
  restrictedCommands: z.array(shortText).max(64).optional(),
  slotKeyCounts: z.record(z.string(), z.int().min(0)).optional(),
  replicaSlotKeyCounts: z.record(z.string(), z.int().min(0)).optional(),
};

const header = {
  cluster: shortText.optional(),
  seeds: z.array(shortText).max(1000),
  takenAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0),
  deadlineHit: z.boolean(),
  auth: z.object({ user: shortText.optional() }).optional(),
};
const atLeastOne = 'expected at least 1 node: a snapshot of nothing proves nothing';

const nodeObservationV1 = z.object({
  ...observationFields,
  clusterNodesRaw: z.string().optional(),
  clusterNodes: z.array(clusterNodeEntry).max(MAX_NODES).optional(),
});

export const snapshotSchemaV1 = z.object({
  version: z.literal(1),
  ...header,
  nodes: z.array(nodeObservationV1).min(1, atLeastOne).max(MAX_NODES),
});

/**
 * An array of at most `max` numbers, each `ok`: checked by one loop, as a million of them make up a
 * 1000-node file's views (a schema per element cost far more than the checks).
 */
function numbers(max: number, ok: (n: number) => boolean, what: string) {
  return z.custom<number[]>(
    (value) => {
      if (!Array.isArray(value) || value.length > max) return false;
      for (const n of value) if (typeof n !== 'number' || !ok(n)) return false;
      return true;
    },
    { message: `expected an array of at most ${max} ${what}` },
  );
}

const nodeObservationV2 = z.object({
  ...observationFields,
  clusterNodes: numbers(MAX_NODES, (n) => Number.isInteger(n) && n >= 0, 'line numbers').optional(),
  clusterNodeTimes: z
    .object({
      pingSent: numbers(MAX_NODES, Number.isFinite, 'times (ms)'),
      pongRecv: numbers(MAX_NODES, Number.isFinite, 'times (ms)'),
    })
    .optional(),
});

export const snapshotSchemaV2 = z
  .object({
    version: z.literal(2),
    ...header,
    lines: z.array(clusterNodeLine).max(MAX_LINES),
    nodes: z.array(nodeObservationV2).min(1, atLeastOne).max(MAX_NODES),
  })
  .check((ctx) => {
    const { lines, nodes } = ctx.value;
    let sightings = 0;
    nodes.forEach((node, i) => {
      const view = node.clusterNodes;
      if (!view) return;
      sightings += view.length;
      const bad = view.findIndex((n) => n >= lines.length);
      if (bad >= 0)
        ctx.issues.push({
          code: 'custom',
          input: view[bad],
          path: ['nodes', i, 'clusterNodes', bad],
          message: `line ${view[bad]} does not exist (${lines.length} lines)`,
        });
      const times = node.clusterNodeTimes;
      if (times && (times.pingSent.length !== view.length || times.pongRecv.length !== view.length))
        ctx.issues.push({
          code: 'custom',
          input: times,
          path: ['nodes', i, 'clusterNodeTimes'],
          message: 'expected one ping-sent and one pong-recv per line',
        });
    });
    if (sightings > MAX_SIGHTINGS)
      ctx.issues.push({
        code: 'custom',
        input: sightings,
        path: ['nodes'],
        message: `more than ${MAX_SIGHTINGS} lines over all views`,
      });
  });

/** A version-2 file's views pointing at one shared, frozen object per line. */
function resolve(file: z.output<typeof snapshotSchemaV2>): Snapshot {
  const { lines: fileLines, nodes, ...rest } = file;
  const table = new LineTable();
  const lines = fileLines.map((line) => table.intern(line));
  return {
    ...rest,
    nodes: nodes.map((node): NodeObservation => {
      const { clusterNodes, ...fields } = node;
      return clusterNodes
        ? { ...fields, clusterNodes: clusterNodes.map((i) => lines[i] as ClusterNodeLine) }
        : fields;
    }),
  };
}

// The schemas and the type must describe the same thing: this fails to compile when they drift.
const _sameShape: (parsed: z.output<typeof snapshotSchemaV1>) => Snapshot = (parsed) => parsed;
void _sameShape;
// And no field of the type is missing from the schemas (zod would drop it from a replayed file).
type Missing<T, S> = Exclude<keyof T, keyof S>;
const _noneMissing: [
  | Missing<Snapshot, z.output<typeof snapshotSchemaV1>>
  | Missing<NodeObservation, z.output<typeof nodeObservationV2> & { clusterNodesRaw?: string }>
  | Missing<z.output<typeof nodeObservationV1>, NodeObservation>,
] extends [never]
  ? true
  : never = true;
void _noneMissing;

/**
 * Parses a snapshot, or says in one line what is wrong with it (the first problem, and how many more).
 *
 * @example
 * const result = parseSnapshot(JSON.parse(text));
 * if (!result.ok) throw new UsageError(result.problem);
 */
export function parseSnapshot(
  value: unknown,
): { ok: true; snapshot: Snapshot } | { ok: false; problem: string } {
  const version = (value as { version?: unknown } | null)?.version;
  const result = version === 2 ? snapshotSchemaV2.safeParse(value) : snapshotSchemaV1.safeParse(value);
  if (result.success)
    return { ok: true, snapshot: result.data.version === 2 ? resolve(result.data) : result.data };
  const [first, ...rest] = result.error.issues;
  const where = first?.path.length ? first.path.join('.') : 'the document';
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return { ok: false, problem: `${where}: ${first?.message ?? 'invalid'}${more}` };
}
