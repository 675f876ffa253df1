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
 * Returns `[hash, own line, clock, normalized text or '']`. The normalized lines keep the layout of
 * `CLUSTER NODES` (ping and pong written `0 0`), so the one parser reads them. A line with fewer than 8
 * fields is kept whole. `#!lua` flags: read-only, and allowed on a replica.
 *
 * The clock is `ping pong ping pong ...` in the normalized order, written against the latest time of
 * the view: `@T d d ...`, where `T` is that time as printed, each `d` is `0` for a time of 0 and
 * `T - time + 1` otherwise. A healthy node's times are within seconds of each other: a few digits each
 * instead of thirteen, so a 1000-node view's clock is about 7 KB instead of 28 KB, and that is most of
 * what each node sends. A time that is not plain digits, or too long to be exact, makes the clock `-`,
 * which the checker refuses (it then asks the whole view, and its parser reports the line).
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
    rows[#rows + 1] = {table.concat(parts, ' '), f[5], f[6]}
  elseif string.find(line, '%S') then
    rows[#rows + 1] = {line, '0', '0'}
  end
end
table.sort(rows, function(a, b) return a[1] < b[1] end)
local lines, clock = {}, {}
local plain, latest, printed = true, 0, '0'
for i, row in ipairs(rows) do
  lines[i] = row[1]
  for k = 2, 3 do
    local t = row[k]
    if #t > 15 or not string.match(t, '^%d+$') then
      plain = false
    elseif tonumber(t) > latest then
      latest, printed = tonumber(t), t
    end
  end
end
local times = '-'
if plain then
  for i, row in ipairs(rows) do
    local p, q = tonumber(row[2]), tonumber(row[3])
    clock[i] = (p == 0 and '0' or string.format('%d', latest - p + 1)) .. ' ' ..
      (q == 0 and '0' or string.format('%d', latest - q + 1))
  end
  times = '@' .. printed .. (#clock > 0 and ' ' or '') .. table.concat(clock, ' ')
end
local normalized = table.concat(lines, '\\n')
local hash = redis.sha1hex(normalized)
if hash == ARGV[1] then normalized = '' end
return {hash, own, times, normalized}`;

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
  pingSent: Float64Array;
  pongRecv: Float64Array;
  /** The normalized view, when the checker did not already hold it. */
  text?: string;
}

/**
 * The script's reply, or undefined when it failed or is not its shape (the node is then asked whole).
 * The reply is best asked as bytes (`callBuffer`): a thousand-node view's clock is about 28 KB, read
 * here byte by byte without first becoming a string; strings (a test's, a replay's) are read alike.
 */
export function parseViewSummary([error, value]: [Error | null, unknown]): ViewSummary | undefined {
  if (error || !Array.isArray(value) || value.length !== 4) return undefined;
  const [hash, own, text] = [value[0], value[1], value[3]].map((v) =>
    Buffer.isBuffer(v) ? v.toString() : v,
  );
  const clock: unknown = value[2];
  if (typeof hash !== 'string' || !/^[0-9a-f]{40}$/.test(hash)) return undefined;
  if (typeof own !== 'string' || typeof text !== 'string') return undefined;
  const times = Buffer.isBuffer(clock)
    ? readClock(clock)
    : typeof clock === 'string'
      ? readClock(clock)
      : undefined;
  if (!times) return undefined;
  return { hash, own, pingSent: times.pingSent, pongRecv: times.pongRecv, ...(text !== '' ? { text } : {}) };
}

/** Most digits of one time: more is not a clock in ms (and would lose precision). */
const MAX_CLOCK_DIGITS = 15;

/**
 * The clock (see {@link VIEW_SCRIPT}): `@T d d ...`, whole non-negative numbers split by single
 * spaces, read in one pass over the characters (bytes or text) without splitting them, into arrays
 * of their exact size (a thousand views hold two million times: as growing arrays they were half of
 * what a check allocated); undefined for anything else.
 */
function readClock(text: Buffer | string): { pingSent: Float64Array; pongRecv: Float64Array } | undefined {
  // Text (a test's, a replay's) is read as its bytes once it is known to hold nothing else.
  if (typeof text === 'string' && !CLOCK_CHARACTERS.test(text)) return undefined;
  const clock: Uint8Array = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const length = clock.length;
  if (length < 2 || clock[0] !== 64) return undefined;
  let fields = 0;
  for (let i = 1; i < length; i++) if (clock[i] === 32) fields++;
  if (fields % 2 !== 0) return undefined;
  const pingSent = new Float64Array(fields / 2);
  const pongRecv = new Float64Array(fields / 2);
  let latest = -1;
  let n = 0;
  let digits = 0;
  let field = 0;
  for (let i = 1; i <= length; i++) {
    const c = i === length ? 32 : (clock[i] as number);
    if (c !== 32) {
      const d = c - 48;
      if (d < 0 || d > 9) return undefined;
      n = n * 10 + d;
      digits++;
      continue;
    }
    if (digits === 0 || digits > MAX_CLOCK_DIGITS) return undefined;
    if (latest < 0) latest = n;
    else {
      // d = T - time + 1: 1 is T itself; past T + 1 the time would be negative.
      if (n > latest + 1) return undefined;
      const time = n === 0 ? 0 : latest - n + 1;
      if (field % 2 === 0) pingSent[field >> 1] = time;
      else pongRecv[field >> 1] = time;
      field++;
    }
    n = 0;
    digits = 0;
  }
  return { pingSent, pongRecv };
}

/** What a clock's text is made of (ASCII only: its bytes are then its characters). */
const CLOCK_CHARACTERS = /^[@0-9 ]*$/;

/**
 * A clock as {@link VIEW_SCRIPT} writes it, from `ping pong ping pong ...` (ms, 0 for none): written
 * against the latest time. For the fake cluster (lib/harness/fake), which answers the script itself.
 */
export function writeClock(times: ArrayLike<number>): string {
  let latest = 0;
  for (let i = 0; i < times.length; i++) latest = Math.max(latest, times[i] as number);
  const parts = new Array<string>(times.length + 1);
  parts[0] = `@${latest}`;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    parts[i + 1] = t === 0 ? '0' : String(latest - t + 1);
  }
  return parts.join(' ');
}
