// Recursive relations (`recurse=true`) walk the whole tree under the parent: under a task list's
// anchor that is every task and every update (22,000 events: 160-400 ms of SQLite per walk), and
// one page of 1,000 took several walks (the scan reads in batches), so reading such a list cost
// 23 pages × 2 walks. A walk's result up to a stream position never changes: stream orderings only
// grow, and what puts an event in the tree (relates_to, rel_type, type, room, and
// outlier/rejected/soft-failed) is fixed when the event is stored. So the ids of one walk, sorted
// by stream, are kept with the position read just before it, and a later read whose range ends
// at or below that position (every page after the first: its `from` token is below it) is a
// slice of them. The first page of a pagination reuses them too while the room holds the same
// events: the walk only follows events of the room, and any event stored in it since changes its
// bounds (lowest and highest position, count): a new one takes a higher position, a backfilled one
// a lower one, a de-outliered one is deleted and stored again. So another agent opening the same
// list, or the same agent coming back, reads it without walking again.
import { FIRST_POSITION } from "../../rooms/pagination-token.ts";

export interface TreeRow {
  eventId: string;
  stream: number;
}

interface Entry {
  /** Highest stream position the walk covered. */
  upTo: number;
  /** The room's bounds when the walk started (TreeSource.roomBounds). */
  bounds: string;
  /** Ascending by stream. */
  rows: TreeRow[];
}

export interface TreeWindow {
  /** Exclusive lower and inclusive upper stream bounds, as the scan asks. */
  after: number;
  before: number;
  n: number;
  backwards: boolean;
}

export interface TreeSource {
  /** The current end of the events stream. */
  maxStream(): Promise<number>;
  /** Changes whenever an event is stored in (or removed from) the room: its lowest and highest positions and its count. */
  roomBounds(): Promise<string>;
  /** Every tree row at or below upTo (backfilled ones at negative positions too), ascending; at most `limit` rows. */
  walk(upTo: number, limit: number): Promise<TreeRow[]>;
}

export class RelationTreeCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxRows: number;

  constructor(opts: { maxEntries?: number; maxRows?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 8;
    this.maxRows = opts.maxRows ?? 100_000;
  }

  /** The rows of (after, before] in the scan's direction, at most n; `undefined` when the tree is too big to keep. */
  async window(key: string, w: TreeWindow, source: TreeSource): Promise<TreeRow[] | undefined> {
    let entry = this.entries.get(key);
    // A forward page after the first (its `from` token: w.after above the first page's) reads past the walk's end
    // (its range is open above) but needs no new walk while nothing was stored after that end: the
    // same freshness as a backward page after the first, without counting the room's events
    // (roomBounds) at each of the 5 pages of a 22,000-event list.
    const laterForward = entry !== undefined && !w.backwards && w.after >= FIRST_POSITION && w.before > entry.upTo && (await source.maxStream()) <= entry.upTo;
    if (!entry || (w.before > entry.upTo && !laterForward)) {
      // Bounds before the position and the walk: an event stored meanwhile changes them, so the
      // next first page walks again even if this walk already saw it.
      const bounds = await source.roomBounds();
      if (!entry || entry.bounds !== bounds) {
        const upTo = await source.maxStream();
        const rows = await source.walk(upTo, this.maxRows + 1);
        if (rows.length > this.maxRows) {
          this.entries.delete(key);
          return undefined;
        }
        entry = { upTo, bounds, rows };
      }
    }
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    for (const old of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(old);
    }
    return slice(entry.rows, w);
  }
}

/** Rows with after < stream <= before: the first n ascending, or the last n descending. */
export function slice(rows: readonly TreeRow[], w: TreeWindow): TreeRow[] {
  const lo = firstAbove(rows, w.after);
  const hi = firstAbove(rows, w.before);
  if (!w.backwards) return rows.slice(lo, Math.min(hi, lo + w.n));
  return rows.slice(Math.max(lo, hi - w.n), hi).reverse();
}

/** Index of the first row whose stream is greater than `pos` (rows ascending). */
function firstAbove(rows: readonly TreeRow[], pos: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid]?.stream ?? 0) > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
