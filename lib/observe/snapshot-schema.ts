import { z } from 'zod';
import { SLOT_COUNT } from '../topology/types';
import type { NodeObservation, Snapshot } from './types';

/**
 * A snapshot file as `--from-snapshot` reads it: arrives as `unknown`, leaves as a {@link Snapshot} or
 * a one-line reason. Bounds keep a hostile file from making the checks do absurd work; they are far
 * above any real cluster (Redis Cluster tops out around 1 000 nodes).
 */

const slot = z
  .int()
  .min(0)
  .max(SLOT_COUNT - 1);
const port = z.int().min(0).max(65535);
const shortText = z.string().max(1024);
const nodeId = z.string().max(64);
const counter = z.number().finite();

const clusterNodeEntry = z.object({
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
  pingSent: counter,
  pongRecv: counter,
  configEpoch: counter,
  linkState: z.enum(['connected', 'disconnected']),
  slots: z
    .array(z.tuple([slot, slot]).refine(([a, b]) => a <= b, 'expected [first, last] with first <= last'))
    .max(SLOT_COUNT),
  migrating: z.array(z.object({ slot, target: nodeId })).max(SLOT_COUNT),
  importing: z.array(z.object({ slot, source: nodeId })).max(SLOT_COUNT),
});

const fields = z.record(z.string(), z.string());

const nodeObservation = z.object({
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
  clusterNodesRaw: z.string().optional(),
  clusterNodes: z.array(clusterNodeEntry).max(5000).optional(),
  parseProblems: z.array(z.object({ line: z.string(), reason: z.string() })).optional(),
  clusterInfo: fields.optional(),
  info: z.record(z.string(), fields).optional(),
  server: z.object({ name: z.enum(['redis', 'valkey']), version: shortText }).optional(),
  config: fields.optional(),
  restrictedCommands: z.array(shortText).max(64).optional(),
  slotKeyCounts: z.record(z.string(), z.int().min(0)).optional(),
  replicaSlotKeyCounts: z.record(z.string(), z.int().min(0)).optional(),
});

export const snapshotSchema = z.object({
  version: z.literal(1),
  cluster: shortText.optional(),
  seeds: z.array(shortText).max(1000),
  takenAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0),
  deadlineHit: z.boolean(),
  auth: z.object({ user: shortText.optional() }).optional(),
  nodes: z
    .array(nodeObservation)
    .min(1, 'expected at least 1 node: a snapshot of nothing proves nothing')
    .max(5000),
});

// The schema and the type must describe the same thing: this fails to compile when they drift.
const _sameShape: (parsed: z.output<typeof snapshotSchema>) => Snapshot = (parsed) => parsed;
void _sameShape;
// And no field of the type is missing from the schema (zod would drop it from a replayed file).
type Missing<T, S> = Exclude<keyof T, keyof S>;
const _noneMissing: [
  | Missing<Snapshot, z.output<typeof snapshotSchema>>
  | Missing<NodeObservation, z.output<typeof nodeObservation>>,
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
  const result = snapshotSchema.safeParse(value);
  if (result.success) return { ok: true, snapshot: result.data };
  const [first, ...rest] = result.error.issues;
  const where = first?.path.length ? first.path.join('.') : 'the document';
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return { ok: false, problem: `${where}: ${first?.message ?? 'invalid'}${more}` };
}
