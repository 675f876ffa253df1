import { isAscii } from 'node:buffer';
import { LineTable, type NodesView } from '../topology/node-lines';
import type { ClusterNodeLine } from '../topology/types';
import { parseViewSummary, type ViewSummary, viewSummaryCommand } from './view-summary';

type Reply = [Error | null, unknown];

/** What to ask one node for its view: the whole text, a summary (with the hash already held), or both. */
export interface ViewQuestions {
  whole: boolean;
  summary?: [string, ...string[]];
}

/**
 * The views of one observation: parsed into lines shared across views (lib/topology/node-lines.ts),
 * and, where the nodes run scripts, summarized on the nodes (lib/observe/view-summary.ts) so that a
 * view alike to one already held crosses the network as its clock only. Seeds are asked the whole
 * text (discovery reads it) and the summary; when no seed could summarize its view (scripts refused,
 * an old server), every node is asked the whole text, as before.
 */
export class ViewBook {
  readonly lines = new LineTable();
  /** Normalized views by hash: the lines, in the normalized order. */
  private readonly normalized = new Map<string, readonly ClusterNodeLine[]>();
  /** The hash the nodes are told the checker holds (the first seed's). */
  private known?: string;

  questions(seed: boolean): ViewQuestions {
    if (seed) return { whole: true, summary: viewSummaryCommand('') };
    return this.known === undefined
      ? { whole: true }
      : { whole: false, summary: viewSummaryCommand(this.known) };
  }

  /**
   * The node's view from the replies to {@link questions}, in order; `askWhole` asks for the whole text
   * when the summary cannot stand for it (refused, or a view whose normalized text did not parse).
   * Throws what `CLUSTER NODES` failed with.
   */
  async read(asked: ViewQuestions, replies: Reply[], askWhole: () => Promise<Reply>): Promise<NodesView> {
    const whole = asked.whole ? replies.shift() : undefined;
    const summary = asked.summary
      ? parseViewSummary(replies.shift() ?? [new Error('no reply'), null])
      : undefined;
    if (summary) this.learn(summary);
    if (whole) return this.parseWhole(whole);
    const rebuilt = summary && this.rebuild(summary);
    return rebuilt ?? this.parseWhole(await askWhole());
  }

  /** How many replies {@link read} takes. */
  static count(asked: ViewQuestions): number {
    return (asked.whole ? 1 : 0) + (asked.summary ? 1 : 0);
  }

  private parseWhole([error, text]: Reply): NodesView {
    if (error) throw error;
    return this.lines.parse(textOf(text));
  }

  /** Keeps a normalized view that parsed cleanly, line for line; the first seed's becomes the known one. */
  private learn(summary: ViewSummary): void {
    if (summary.text !== undefined && !this.normalized.has(summary.hash)) {
      const view = this.lines.parse(summary.text);
      if (view.problems.length === 0 && view.lines.length === summary.pingSent.length)
        this.normalized.set(summary.hash, view.lines);
    }
    if (this.known === undefined && this.normalized.has(summary.hash)) this.known = summary.hash;
  }

  /** Where each node id stands in a normalized view, by its hash (built on first need). */
  private readonly places = new Map<string, Map<string, number>>();

  /** Where the line of node `id` stands in the normalized view `hash` (the first, as `findIndex`). */
  private placeOf(hash: string, id: string): number | undefined {
    let places = this.places.get(hash);
    if (!places) {
      places = new Map();
      const base = this.normalized.get(hash) ?? [];
      for (let i = base.length - 1; i >= 0; i--) places.set((base[i] as ClusterNodeLine).id, i);
      this.places.set(hash, places);
    }
    return places.get(id);
  }

  /** The view rebuilt: the normalized lines, the node's own line in its place, its clock beside. */
  private rebuild(summary: ViewSummary): NodesView | undefined {
    const base = this.normalized.get(summary.hash);
    if (!base || base.length !== summary.pingSent.length) return undefined;
    // A copy (slice: spreading a thousand lines cost 40 us a view), the node's own line in its place.
    const lines = base.slice();
    if (summary.own !== '') {
      const { line, problems } = this.lines.single(summary.own);
      if (problems.length > 0 || !line?.myself) return undefined;
      const at = this.placeOf(summary.hash, line.id);
      if (at === undefined) return undefined;
      lines[at] = line;
    }
    return { lines, times: { pingSent: summary.pingSent, pongRecv: summary.pongRecv }, problems: [] };
  }
}

/**
 * A reply as text. `CLUSTER NODES` is read as bytes and decoded here: when every byte is ASCII (as
 * Redis prints it) Latin-1 decoding gives the same text without UTF-8's validation, and V8 reads the
 * result faster (a thousand 126 KB views: 475-512 ms decoded and parsed, against 645-845 ms).
 */
function textOf(reply: unknown): string {
  if (!Buffer.isBuffer(reply)) return String(reply);
  return reply.toString(isAscii(reply) ? 'latin1' : 'utf8');
}
