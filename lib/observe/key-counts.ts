import { slotClaims } from '../topology/cluster-nodes';
import {
  mergeRanges,
  rangesContain,
  rangesFromSlots,
  slotsInRanges,
  subtractRanges,
} from '../topology/slots';
import { type ClusterNodeLine, SLOT_COUNT, type SlotRange } from '../topology/types';
import type { NodeClient } from './connection';
import type { NodeObservation } from './types';

/**
 * The slots whose key counts the checks and remedies need: slots open anywhere, slots no reachable
 * node assigns, and slots the reachable nodes disagree about.
 */
export function slotsThatMatter(observations: NodeObservation[]): Set<number> {
  const result = new Set<number>();
  // Every observer prints the same claims in a healthy cluster: each distinct one is walked once (the
  // views share their lines: a line seen in another view is skipped by identity).
  const claims = new Map<string, { id: string; first: number; last: number }>();
  const walked = new Set<ClusterNodeLine>();
  // Views read from one summary hold the same lines at the same places but for their own: a line
  // where the previous view had it was walked then, without a lookup.
  let previous: readonly ClusterNodeLine[] = [];
  for (const o of observations) {
    const entries = o.clusterNodes ?? [];
    for (let j = 0; j < entries.length; j++) {
      const entry = entries[j] as ClusterNodeLine;
      if (entry === previous[j] || walked.has(entry)) continue;
      walked.add(entry);
      if (entry.myself) {
        for (const m of entry.migrating) result.add(m.slot);
        for (const i of entry.importing) result.add(i.slot);
      }
      for (const [first, last] of entry.slots)
        claims.set(`${entry.id} ${first} ${last}`, { id: entry.id, first, last });
    }
    previous = entries;
  }
  // A sweep over the claims in slot order: gaps are slots nobody claims, overlaps between different
  // ids are disputes. The work grows with the claims, not with the 16 384 slots.
  const sorted = [...claims.values()].sort((a, b) => a.first - b.first || a.last - b.last);
  let active: { id: string; first: number; last: number }[] = [];
  let next = 0;
  for (const claim of sorted) {
    for (let slot = next; slot < claim.first; slot++) result.add(slot);
    active = active.filter((a) => a.last >= claim.first);
    for (const other of active) {
      if (other.id === claim.id) continue;
      for (let slot = claim.first; slot <= Math.min(other.last, claim.last); slot++) result.add(slot);
    }
    active.push(claim);
    next = Math.max(next, claim.last + 1);
  }
  for (let slot = next; slot < SLOT_COUNT; slot++) result.add(slot);
  return result;
}

/**
 * Replicas named by a master's migration mark (a node of the move demoted to a replica mid-move,
 * e.g. after a stall past the node timeout), each with the slots those marks name. Their keys of
 * those slots are what proves the demoted node holds nothing its heir lacks.
 */
export function replicasNamedByMarks(observations: NodeObservation[]): Map<string, number[]> {
  const named = new Map<string, Set<number>>();
  for (const o of observations) {
    const self = o.clusterNodes?.find((e) => e.myself);
    if (self?.role !== 'master') continue;
    const marks = [
      ...self.migrating.map((m) => ({ slot: m.slot, peer: m.target })),
      ...self.importing.map((i) => ({ slot: i.slot, peer: i.source })),
    ];
    for (const { slot, peer } of marks) named.set(peer, (named.get(peer) ?? new Set()).add(slot));
  }
  const result = new Map<string, number[]>();
  for (const o of observations) {
    const self = o.clusterNodes?.find((e) => e.myself);
    const slots = self && self.role === 'replica' ? named.get(self.id) : undefined;
    if (o.reachable && slots)
      result.set(
        self?.id as string,
        [...slots].sort((a, b) => a - b),
      );
  }
  return result;
}

/** Counts a replica's keys of `slots` (see {@link replicasNamedByMarks}) into `replicaSlotKeyCounts`. */
export async function countReplicaKeys(
  client: NodeClient,
  observation: NodeObservation,
  slots: number[],
): Promise<void> {
  try {
    const counts = await countSlots(client, [{ ranges: rangesFromSlots(slots), report: 'all' }], false);
    observation.replicaSlotKeyCounts = Object.fromEntries(
      [...counts.bySlot].map(([slot, n]) => [String(slot), n]),
    );
  } catch (error) {
    observation.error ??= client.describe(error);
  }
}

/**
 * How a counted range is reported: `all` every slot's count, `nonzero` the slots holding keys, `sum`
 * only its total. The owned slots of a deep scan are summed on the server, so a healthy cluster's
 * reply is one number per master, not 16 384 of them.
 */
type Report = 'all' | 'nonzero' | 'sum';
interface CountPart {
  ranges: SlotRange[];
  report: Report;
}

/**
 * The deep scan's first part, asked in the same pipeline as `CLUSTER NODES` so a healthy cluster is
 * observed in one round trip per node. A read-only script reads the node's own line of `CLUSTER NODES`
 * and, on a master, sums the keys of every slot it owns on the server, counts the slots it has open,
 * and, when the sum falls short of `DBSIZE`, reports every slot it does not own that holds keys.
 * It returns `[role, slot tokens, dbsize, sum, slot, count, ...]`; a replica returns at its role.
 * The slot tokens let the client check the script saw the same line as the `CLUSTER NODES` beside it.
 */
const SURVEY_SCRIPT = `#!lua flags=no-writes,allow-stale
local out = {'other', '', 0, 0}
local me
for line in string.gmatch(redis.call('CLUSTER', 'NODES'), '[^\\n]+') do
  local flags = string.match(line, '^%S+ %S+ (%S+)')
  if flags and string.find(',' .. flags .. ',', ',myself,', 1, true) then
    me = line
    break
  end
end
if not me then return out end
local fields = {}
for f in string.gmatch(me, '%S+') do fields[#fields + 1] = f end
if not string.find(',' .. fields[3] .. ',', ',master,', 1, true) then return out end
out[1] = 'master'
local owned, marks, tokens = {}, {}, {}
for i = 9, #fields do
  local t = fields[i]
  tokens[#tokens + 1] = t
  local a, b = string.match(t, '^(%d+)-(%d+)$')
  if not a then a = string.match(t, '^(%d+)$') b = a end
  if a then
    owned[#owned + 1] = {tonumber(a), tonumber(b)}
  else
    local m = string.match(t, '^%[(%d+)')
    if m then marks[#marks + 1] = tonumber(m) end
  end
end
out[2] = table.concat(tokens, ' ')
local function count(s) return redis.call('CLUSTER', 'COUNTKEYSINSLOT', tostring(s)) end
local sum = 0
for _, r in ipairs(owned) do
  for s = r[1], r[2] do sum = sum + count(s) end
end
for _, s in ipairs(marks) do
  out[#out + 1] = s
  out[#out + 1] = count(s)
end
local dbsize = redis.call('DBSIZE')
if sum < dbsize then
  local mine = {}
  for _, r in ipairs(owned) do
    for s = r[1], r[2] do mine[s] = true end
  end
  for s = 0, 16383 do
    if not mine[s] then
      local n = count(s)
      if n > 0 then
        out[#out + 1] = s
        out[#out + 1] = n
      end
    end
  end
end
out[3] = dbsize
out[4] = sum
return out`;

export const SURVEY: [string, ...string[]] = ['EVAL', SURVEY_SCRIPT, '0'];

/** What the survey found on a master. */
export interface Survey {
  /** The slot tokens of the node's own line, as the script read them. */
  tokens: string;
  dbsize: number;
  /** Keys in the slots the node owns. */
  sum: number;
  /** Its open slots, and every slot it does not own that holds keys. */
  bySlot: Map<number, number>;
}

/** The survey's reply, or undefined where it was refused or the node is not a master. */
export function parseSurvey([error, value]: [Error | null, unknown]): Survey | undefined {
  if (error || !Array.isArray(value) || value.length < 4 || value.length % 2 !== 0) return undefined;
  if (value[0] !== 'master') return undefined;
  const bySlot = new Map<number, number>();
  for (let i = 4; i + 1 < value.length; i += 2) bySlot.set(Number(value[i]), Number(value[i + 1]));
  return { tokens: String(value[1]), dbsize: Number(value[2]), sum: Number(value[3]), bySlot };
}

/** True when the survey read the same claims on the node's own line as its `CLUSTER NODES` beside it. */
function sameClaims(tokens: string, myself: ClusterNodeLine): boolean {
  const { slots, migrating, importing } = slotClaims(tokens);
  return (
    JSON.stringify([slots, migrating, importing]) ===
    JSON.stringify([myself.slots, myself.migrating, myself.importing])
  );
}

/**
 * Counts keys on one master: the slots that matter and, in a deep scan, every slot it owns, with
 * `DBSIZE` in the same pipeline. When the sums disagree, keys live in slots the node does not own (or writes raced the
 * count), so the remaining slots are counted too. Records the slots that matter and every slot
 * holding keys the node does not own. Replicas mirror their master and are skipped.
 *
 * With a `survey` taken beside this node's `CLUSTER NODES`, only the slots that matter and that the
 * survey could not answer (owned slots someone else disputes or has open) are asked for.
 */
export async function countKeys(
  client: NodeClient,
  observation: NodeObservation,
  matter: Set<number>,
  deep: boolean,
  survey?: Survey,
): Promise<void> {
  const myself = observation.clusterNodes?.find((e) => e.myself);
  if (myself?.role !== 'master') return;
  try {
    const owned = mergeRanges(myself.slots);
    const counts =
      deep && survey && sameClaims(survey.tokens, myself)
        ? await completeSurvey(client, survey, owned, matter)
        : await countAll(client, owned, matter, deep);
    const dbsize = counts.dbsize ?? 0;
    const recorded: Record<string, number> = {};
    for (const [slot, n] of counts.bySlot) recorded[String(slot)] = n;
    observation.slotKeyCounts = recorded;
    observation.info ??= {};
    observation.info.keyspace ??= {};
    observation.info.keyspace.dbsize = String(dbsize);
  } catch (error) {
    observation.error ??= client.describe(error);
  }
}

/** The survey's counts, plus the owned slots that matter and that it did not count one by one. */
async function completeSurvey(
  client: NodeClient,
  survey: Survey,
  owned: SlotRange[],
  matter: Set<number>,
): Promise<Counts> {
  const missing = [...matter].filter((slot) => !survey.bySlot.has(slot) && rangesContain(owned, slot));
  const more =
    missing.length > 0
      ? (await countSlots(client, [{ ranges: rangesFromSlots(missing), report: 'all' }], false)).bySlot
      : new Map<number, number>();
  const bySlot = new Map<number, number>();
  // Slots it does not own hold no keys unless the survey listed them (it lists every one that does).
  for (const slot of matter) bySlot.set(slot, survey.bySlot.get(slot) ?? more.get(slot) ?? 0);
  for (const [slot, n] of survey.bySlot) if (!rangesContain(owned, slot)) bySlot.set(slot, n);
  return { sum: survey.sum, bySlot, dbsize: survey.dbsize };
}

/** Counts without a survey: the slots that matter, the owned rest (deep), and strays if sums differ. */
async function countAll(
  client: NodeClient,
  owned: SlotRange[],
  matter: Set<number>,
  deep: boolean,
): Promise<Counts> {
  const matterRanges = rangesFromSlots(matter);
  // Owned slots are counted only in a deep scan: that is what finds keys in slots a node does not own.
  const parts: CountPart[] = [{ ranges: matterRanges, report: 'all' }];
  if (deep) parts.push({ ranges: subtractRanges(owned, matterRanges), report: 'sum' });
  const counts = await countSlots(client, parts, true);
  if (deep && counts.sum < (counts.dbsize ?? 0)) {
    const rest = subtractRanges(subtractRanges([[0, SLOT_COUNT - 1]], owned), matterRanges);
    const more = await countSlots(client, [{ ranges: rest, report: 'nonzero' }], false);
    for (const [slot, n] of more.bySlot) counts.bySlot.set(slot, n);
  }
  return counts;
}

/**
 * Counts keys per slot in one round trip: a read-only script walks the ranges on the server
 * (thousands of COUNTKEYSINSLOT calls cost about a millisecond there, against tens of milliseconds
 * of client work as separate pipelined commands) and returns `[total, slot, count, ...]` for the
 * slots to report. Where scripts are refused (ACLs, older servers, managed services) the same counts
 * come from a pipeline.
 */
export const COUNT_SCRIPT = `#!lua flags=no-writes,allow-stale
local out = {0}
local sum = 0
for i = 1, #ARGV, 3 do
  local report = ARGV[i + 2]
  for s = tonumber(ARGV[i]), tonumber(ARGV[i + 1]) do
    local n = redis.call('CLUSTER', 'COUNTKEYSINSLOT', tostring(s))
    sum = sum + n
    if report == 'all' or (report == 'nonzero' and n > 0) then
      out[#out + 1] = s
      out[#out + 1] = n
    end
  end
end
out[1] = sum
return out`;

interface Counts {
  /** Keys in every counted slot. */
  sum: number;
  /** Slot -> keys, for the slots reported. */
  bySlot: Map<number, number>;
  dbsize?: number;
}

async function countSlots(client: NodeClient, parts: CountPart[], withDbsize: boolean): Promise<Counts> {
  const args = parts.flatMap(({ ranges, report }) =>
    ranges.flatMap(([a, b]) => [String(a), String(b), report]),
  );
  const scripted = client.redis.pipeline();
  scripted.call('EVAL', COUNT_SCRIPT, '0', ...args);
  if (withDbsize) scripted.dbsize();
  const [script, size] = (await client.exec(scripted)) ?? [];
  const dbsize = size && !size[0] ? Number(size[1]) : undefined;
  const reply = script && !script[0] && Array.isArray(script[1]) ? (script[1] as unknown[]) : undefined;
  if (reply && reply.length % 2 === 1) {
    const bySlot = new Map<number, number>();
    for (let i = 1; i + 1 < reply.length; i += 2) bySlot.set(Number(reply[i]), Number(reply[i + 1]));
    return { sum: Number(reply[0]), bySlot, dbsize };
  }
  return { ...(await pipelinedCounts(client, parts)), dbsize };
}

async function pipelinedCounts(client: NodeClient, parts: CountPart[]): Promise<Omit<Counts, 'dbsize'>> {
  const slots = parts.map((part) => ({ part, slots: [...slotsInRanges(part.ranges)] }));
  const pipeline = client.redis.pipeline();
  for (const { slots: list } of slots)
    for (const slot of list) pipeline.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot));
  const replies = (await client.exec(pipeline)) ?? [];
  const bySlot = new Map<number, number>();
  let sum = 0;
  let i = 0;
  for (const { part, slots: list } of slots) {
    for (const slot of list) {
      const [error, value] = replies[i++] ?? [new Error('no reply'), null];
      if (error) throw error;
      const n = Number(value);
      sum += n;
      if (part.report === 'all' || (part.report === 'nonzero' && n > 0)) bySlot.set(slot, n);
    }
  }
  return { sum, bySlot };
}
