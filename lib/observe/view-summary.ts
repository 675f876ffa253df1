/**
 * A node's view of the cluster, summarized on the node itself so that views alike cross the network
 * once. Every node of a healthy cluster prints the same `CLUSTER NODES` but for its clock (`ping-sent`,
 * `pong-recv`), the order of its lines (its own hash order) and its own line (`myself`, and migration
 * marks only there). A read-only script normalizes the view (each line without the clock, the `myself`
 * flag and the marks; lines sorted), hashes it, and returns the hash, the node's own line as printed,
 * and the clock of every line in the sorted order; the normalized text itself only when its hash is not
 * the one the checker already holds. So a 1000-node check moves a thousand clocks per node instead of
 * a thousand lines, and parses one view instead of a thousand. Marks (`[slot->-id]`, `[slot-<-id]`)
 * are dropped from the normalized lines only when well formed: anything else stays, for the parser to
 * report. The checker rebuilds each view from the normalized lines, the node's own line in its place,
 * and the clock; the lines of a rebuilt view are in the normalized order, not the node's own.
 *
 * Returns `[hash, own line, "ping pong ping pong ...", normalized text or '']`. The normalized lines
 * keep the layout of `CLUSTER NODES` (ping and pong written `0 0`), so the one parser reads them. A
 * line with fewer than 8 fields is kept whole. `#!lua` flags: read-only, and allowed on a replica.
 */
export const VIEW_SCRIPT = `#!lua flags=no-writes,allow-stale
local text = redis.call('CLUSTER', 'NODES')
local rows = {}
local own = ''
for line in string.gmatch(text, '[^\\n]+') do
  local f = {}
  for w in string.gmatch(line, '%S+') do f[#f + 1] = w end
  if #f >= 8 then
    local flags = {}
    for flag in string.gmatch(f[3], '[^,]+') do
      if flag == 'myself' then own = line else flags[#flags + 1] = flag end
    end
    local parts = {f[1], f[2], #flags > 0 and table.concat(flags, ',') or 'noflags', f[4], '0', '0', f[7], f[8]}
    for i = 9, #f do
      if not (string.match(f[i], '^%[%d+%->%-%x+%]$') or string.match(f[i], '^%[%d+%-<%-%x+%]$')) then
        parts[#parts + 1] = f[i]
      end
    end
    rows[#rows + 1] = {table.concat(parts, ' '), f[5] .. ' ' .. f[6]}
  elseif string.find(line, '%S') then
    rows[#rows + 1] = {line, '0 0'}
  end
end
table.sort(rows, function(a, b) return a[1] < b[1] end)
local lines, clock = {}, {}
for i, row in ipairs(rows) do
  lines[i] = row[1]
  clock[i] = row[2]
end
local normalized = table.concat(lines, '\\n')
local hash = redis.sha1hex(normalized)
if hash == ARGV[1] then normalized = '' end
return {hash, own, table.concat(clock, ' '), normalized}`;

/** The script as a command: `known` is the hash whose text the checker holds ('' for none). */
export function viewSummaryCommand(known: string): [string, ...string[]] {
  return ['EVAL', VIEW_SCRIPT, '0', known];
}

/** What the script answered. */
export interface ViewSummary {
  hash: string;
  /** The node's own line as it printed it (with its clock and marks); '' when it has none. */
  own: string;
  /** ping-sent and pong-recv of each line, in the normalized order. */
  pingSent: number[];
  pongRecv: number[];
  /** The normalized view, when the checker did not already hold it. */
  text?: string;
}

/** The script's reply, or undefined when it failed or is not its shape (the node is then asked whole). */
export function parseViewSummary([error, value]: [Error | null, unknown]): ViewSummary | undefined {
  if (error || !Array.isArray(value) || value.length !== 4) return undefined;
  const [hash, own, clock, text] = value.map((v) => (Buffer.isBuffer(v) ? v.toString() : v));
  if (typeof hash !== 'string' || !/^[0-9a-f]{40}$/.test(hash)) return undefined;
  if (typeof own !== 'string' || typeof clock !== 'string' || typeof text !== 'string') return undefined;
  const pingSent: number[] = [];
  const pongRecv: number[] = [];
  let at = 0;
  let index = 0;
  // "ping pong ping pong ...": whole non-negative numbers, read without splitting the text.
  while (at < clock.length) {
    let end = clock.indexOf(' ', at);
    if (end < 0) end = clock.length;
    let n = 0;
    if (end === at || end - at > 15) return undefined;
    for (let i = at; i < end; i++) {
      const d = clock.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      n = n * 10 + d;
    }
    (index++ % 2 === 0 ? pingSent : pongRecv).push(n);
    at = end + 1;
  }
  if (pingSent.length !== pongRecv.length) return undefined;
  return { hash, own, pingSent, pongRecv, ...(text !== '' ? { text } : {}) };
}
