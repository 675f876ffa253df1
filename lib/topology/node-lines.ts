import { parseLine } from './cluster-nodes';
import type { ClusterNodeEntry, ClusterNodeLine, ClusterNodeTimes, ParseProblem } from './types';

/** One node's `CLUSTER NODES`, compact: lines shared with every other view, its own clock beside them. */
export interface NodesView {
  lines: ClusterNodeLine[];
  times: ClusterNodeTimes;
  problems: ParseProblem[];
}

/** A view being read: its clock as arrays that grow. */
interface ViewInProgress extends NodesView {
  times: { pingSent: number[]; pongRecv: number[] };
}

/** Which view last printed a node id: a second line for the same id in one view is skipped. */
class IdMark {
  generation = 0;
}

/** A line seen before: its entry (none when its header is malformed), its token problems, its text. */
class Known {
  constructor(
    readonly line: ClusterNodeLine | undefined,
    readonly reasons: readonly string[],
    /** The text up to and with the space before `ping-sent`. */
    readonly head: string,
    /** The text from the space after `pong-recv` to the end. */
    readonly tail: string,
    readonly mark: IdMark,
  ) {}
}

/**
 * Lines starting with the same 3 hex digits compared one by one (a 1000-node cluster has about two
 * thousand lines: one or two per bucket); past this many, they are looked up by their whole text.
 */
const MAX_VARIANTS = 16;

/** Most digits of a time read on the fast path; longer ones go through the full parser's checks. */
const MAX_FAST_DIGITS = 15;

/**
 * Parses the views of one observation into lines shared across views. In a healthy cluster every node
 * prints every other node's line alike but for its own clock (`ping-sent`, `pong-recv`), so a thousand
 * views hold about two thousand distinct lines: each is parsed once (by {@link parseLine}, the one
 * parser), frozen, and the views point at it. A line already seen costs finding its fields and one map
 * lookup; the text is not kept. Results are those of `parseClusterNodes`, with the times moved out
 * (test/unit/topology/node-lines.test.ts holds them equal on recorded and generated text).
 *
 * @example
 * const table = new LineTable();
 * const view = table.parse(await redis.call('CLUSTER', 'NODES'));
 */
export class LineTable {
  /** The first 3 hex digits of the node id, as a number -> the lines seen starting with them. */
  private readonly byStart: (Known[] | undefined)[] = new Array(4096).fill(undefined);
  /** Lines of the node ids printed in more than {@link MAX_VARIANTS} ways, by their text. */
  private readonly byText = new Map<string, Known>();
  /** Lines built elsewhere (replayed snapshots), by their fields. */
  private readonly byKey = new Map<string, ClusterNodeLine>();
  private readonly marks = new Map<string, IdMark>();
  private distinct = 0;
  private generation = 0;

  /** Distinct lines kept. */
  get size(): number {
    return this.distinct + this.byKey.size;
  }

  parse(text: string): NodesView {
    const view: ViewInProgress = { lines: [], times: { pingSent: [], pongRecv: [] }, problems: [] };
    if (typeof text !== 'string') {
      // Snapshots are replayed from JSON, where the type system promises nothing.
      view.problems.push({ line: '', reason: `CLUSTER NODES output is a ${typeof text}, not text` });
      return view;
    }
    const generation = ++this.generation;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start) this.line(text, start, end, generation, view);
      start = end + 1;
    }
    return view;
  }

  /**
   * One line no other view prints alike (an observer's own, `myself` line, rebuilt into its summarized
   * view: lib/observe/views.ts), parsed as {@link parse} would parse it but not kept for sharing: a
   * thousand own lines are a thousand lines seen once. Text of more than one line is refused.
   */
  single(text: string): { line?: ClusterNodeLine; problems: ParseProblem[] } {
    const problems: ParseProblem[] = [];
    const trimmed = typeof text === 'string' ? text.trim() : '';
    if (trimmed === '' || trimmed.includes('\n')) {
      problems.push({ line: String(text), reason: 'not one line' });
      return { problems };
    }
    const entry = parseLine(trimmed, problems);
    return entry ? { line: freeze(strip(entry)), problems } : { problems };
  }

  /** The shared copy of a line built elsewhere (a replayed snapshot): equal lines become one object. */
  intern(entry: ClusterNodeLine): ClusterNodeLine {
    const line = strip(entry);
    const key = JSON.stringify(line);
    let found = this.byKey.get(key);
    if (!found) {
      found = freeze(line);
      this.byKey.set(key, found);
    }
    return found;
  }

  private line(text: string, start: number, end: number, generation: number, view: ViewInProgress): void {
    // The fast path reads lines as Redis prints them: fields split by one space, nothing around them.
    const first = text.charCodeAt(start);
    const last = text.charCodeAt(end - 1);
    if (first <= 32 || last <= 32) {
      this.slow(text.slice(start, end).trim(), generation, view);
      return;
    }
    // Spaces ending fields 4 (master), 5 (ping-sent) and 6 (pong-recv). The id (40 characters) and the
    // master ('-' or an id) are not searched: a line parses only with them so, and a line seen before
    // is matched on its whole text around the times, so positions taken wrongly can match nothing.
    const s1 = start + 40;
    const s2 = s1 < end && text.charCodeAt(s1) === 32 ? text.indexOf(' ', s1 + 1) : -1;
    const s3 = s2 > s1 + 1 && s2 < end ? text.indexOf(' ', s2 + 1) : -1;
    const s4 = s3 > s2 + 1 && s3 < end ? masterEnd(text, s3 + 1, end) : -1;
    const s5 = s4 > 0 ? text.indexOf(' ', s4 + 1) : -1;
    const s6 = s5 > s4 + 1 && s5 < end ? text.indexOf(' ', s5 + 1) : -1;
    if (s6 <= s5 + 1 || s6 >= end) {
      this.slow(text.slice(start, end), generation, view);
      return;
    }
    const pingSent = digits(text, s4 + 1, s5);
    const pongRecv = digits(text, s5 + 1, s6);
    if (Number.isNaN(pingSent) || Number.isNaN(pongRecv)) {
      this.slow(text.slice(start, end), generation, view);
      return;
    }
    const found = this.known(text, start, end, s4, s6);
    if (!found) {
      // Only a line that splits the same on one space as on any whitespace may stand for others.
      this.slow(text.slice(start, end), generation, view);
      return;
    }
    if (found.reasons.length > 0) {
      const raw = text.slice(start, end);
      for (const reason of found.reasons) view.problems.push({ line: raw, reason });
    }
    const line = found.line;
    if (!line) return;
    if (found.mark.generation === generation) {
      view.problems.push({
        line: text.slice(start, end),
        reason: `duplicate node id ${line.id}: line skipped`,
      });
      return;
    }
    found.mark.generation = generation;
    view.lines.push(line);
    view.times.pingSent.push(pingSent);
    view.times.pongRecv.push(pongRecv);
  }

  /**
   * The line whose text equals this one's but for the clock, learnt now if it is new; undefined for a
   * line in another layout than Redis's. Lines of one node id are few (its line as others see it, its
   * own): they are told apart by comparing text where it stands, without copying it.
   */
  private known(text: string, start: number, end: number, s4: number, s6: number): Known | undefined {
    const startKey = hex3(text, start);
    if (startKey < 0) return undefined;
    let list = this.byStart[startKey];
    // Views that all print one node differently (only a hostile cluster does) are looked up by text.
    if (list && list.length >= MAX_VARIANTS) return this.knownByText(text, start, end, s4, s6);
    if (list) {
      // Slices share the text's bytes and compare natively: no copy, no character loop in JavaScript.
      const head = text.slice(start, s4 + 1);
      const tail = text.slice(s6, end);
      for (let i = 0; i < list.length; i++) {
        const k = list[i] as Known;
        if (k.tail === tail && k.head === head) return k;
      }
    }
    const known = this.learn(text, start, end, s4, s6);
    if (!known) return undefined;
    if (!list) {
      list = [];
      this.byStart[startKey] = list;
    }
    list.push(known);
    return known;
  }

  private knownByText(text: string, start: number, end: number, s4: number, s6: number): Known | undefined {
    const key = copy(text.slice(start, s4 + 1) + text.slice(s6, end));
    let known = this.byText.get(key);
    if (!known) {
      known = this.learn(text, start, end, s4, s6);
      if (known) this.byText.set(key, known);
    }
    return known;
  }

  /** Parses a line not seen before; undefined when it is not in Redis's layout. */
  private learn(text: string, start: number, end: number, s4: number, s6: number): Known | undefined {
    const raw = copy(text.slice(start, end));
    if (!canonical(raw)) return undefined;
    // The fields the fast path found must be the line's: the 4th space, and the 6th.
    const spaces = raw.split(' ', 7).map((f) => f.length);
    const at = (n: number) => spaces.slice(0, n).reduce((sum, length) => sum + length + 1, -1);
    if (spaces.length < 7 || at(4) !== s4 - start || at(6) !== s6 - start) return undefined;
    const problems: ParseProblem[] = [];
    const entry = parseLine(raw, problems);
    this.distinct++;
    return new Known(
      entry ? freeze(strip(entry)) : undefined,
      problems.map((p) => p.reason),
      copy(text.slice(start, s4 + 1)),
      copy(text.slice(s6, end)),
      this.markOf(entry?.id ?? ''),
    );
  }

  private markOf(id: string): IdMark {
    let mark = this.marks.get(id);
    if (!mark) {
      mark = new IdMark();
      this.marks.set(id, mark);
    }
    return mark;
  }

  /** A line in another layout (CRLF, tabs, padding): parsed whole, shared by its fields. */
  private slow(text: string, generation: number, view: ViewInProgress): void {
    if (text === '') return;
    const line = copy(text);
    try {
      const entry = parseLine(line, view.problems);
      if (!entry) return;
      const mark = this.markOf(entry.id);
      if (mark.generation === generation) {
        view.problems.push({ line, reason: `duplicate node id ${entry.id}: line skipped` });
        return;
      }
      mark.generation = generation;
      view.lines.push(this.intern(entry));
      view.times.pingSent.push(entry.pingSent);
      view.times.pongRecv.push(entry.pongRecv);
    } catch (error) {
      // Only reachable through a parser bug; the contract is still "never throw".
      const detail = error instanceof Error ? error.message : typeof error;
      view.problems.push({ line, reason: `unexpected parser error: ${detail}` });
    }
  }
}

/**
 * A string of its own: a slice of a reply keeps the whole reply alive (V8 slices point into their
 * parent), and a shared line outlives its view. JSON's round trip copies any string exactly.
 */
function copy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The first 3 characters as a hex number (0-4095), or -1 when they are not hex digits. */
function hex3(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 3; i++) {
    const c = text.charCodeAt(i) | 32;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

/** The space ending the master field that starts at `at` ('-' or a 40-character id), or -1. */
function masterEnd(text: string, at: number, end: number): number {
  if (text.charCodeAt(at) === 45 && text.charCodeAt(at + 1) === 32) return at + 1;
  return at + 40 < end && text.charCodeAt(at + 40) === 32 ? at + 40 : -1;
}

/** The non-negative integer written in `text[start, end)`, or NaN (not digits, or too long for this path). */
function digits(text: string, start: number, end: number): number {
  if (end <= start || end - start > MAX_FAST_DIGITS) return Number.NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}

const WHITESPACE = /\s/;

/** True when the line has no whitespace but single spaces between fields. */
function canonical(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      if (line.charCodeAt(i + 1) === 32) return false;
    } else if (c < 33 || (c > 126 && WHITESPACE.test(line[i] as string))) return false;
  }
  return true;
}

/** The entry without the observer's clock. */
function strip(entry: ClusterNodeLine | ClusterNodeEntry): ClusterNodeLine {
  const { pingSent: _ping, pongRecv: _pong, ...line } = entry as ClusterNodeEntry;
  return line;
}

/** Frozen all the way down: one object stands for the line in every view, so nobody may change it. */
function freeze(line: ClusterNodeLine): ClusterNodeLine {
  Object.freeze(line.flags);
  for (const range of line.slots) Object.freeze(range);
  Object.freeze(line.slots);
  for (const m of line.migrating) Object.freeze(m);
  Object.freeze(line.migrating);
  for (const i of line.importing) Object.freeze(i);
  Object.freeze(line.importing);
  return Object.freeze(line);
}
