// Unread counts without rescanning: for a (user, room, scope) whose read position has not moved,
// the counts up to a position are kept and only the notifying events after it are counted on the
// next /sync. A reader with 10,000 unread messages then costs what a reader with a few does. Every
// count is kept, zero too: a muted or mentions-only busy room the user never reads counts zero
// over a long range, and recounting it (each woken /sync after each message there) probes every
// recipient set of the user in the room (push-store.ts unreadOfUser).
// A kept count stays true because push actions are recorded in stream order behind the evaluation
// cursor (none appears below a counted position later; callers pass the cache only for counts up
// to an evaluated position, push-service.ts keptCountsUpTo) and the one other thing that changes what
// counts, a redaction, bumps the room's generation when the evaluation reaches it (after commit);
// a count computed across a bump is not kept. In memory, per process, bounded.
import type { ThreadCounts } from "../../storage/push-store.ts";
import { LruMap } from "../cache/lru-map.ts";

/** Counts kept at most; the oldest goes first. */
const MAX_ENTRIES = 50_000;
/**
 * Recorded batches kept to move counts left behind: a count with nothing in a batch (a muted
 * room) is moved only when next asked, which may be several batches later (PostgreSQL: a /sync
 * counts up to the recorded position and the batch being recorded from memory).
 */
const KEPT_BATCHES = 32;

interface Batch {
  from: number;
  upTo: number;
  byKey: Map<string, { threadId: string; highlight: boolean }[]>;
  uncounted: ReadonlySet<string>;
  /** `changes` when it was recorded. */
  changes: number;
}

interface Entry {
  after: number;
  upTo: number;
  generation: number;
  rows: Map<string, ThreadCounts>;
  /** The counts before the last recorded batch moved them (a /sync asking up to its start meanwhile). */
  prev?: { upTo: number; rows: Map<string, ThreadCounts> };
}

export type RangeCount = (after: number, upTo: number) => Promise<ThreadCounts[]>;

export class UnreadCountCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly generations = new Map<string, number>();
  /** Room changes (redactions evaluated) so far, all rooms. */
  private changes = 0;
  /** The last recorded batches by their start (insertion order: oldest first). */
  private readonly batches = new Map<number, Batch>();

  constructor(maxEntries = MAX_ENTRIES) {
    this.entries = new LruMap(maxEntries);
  }

  /** Something that changes past counts of the room happened (a redaction): forget them. */
  roomChanged(roomId: string): void {
    this.generations.set(roomId, (this.generations.get(roomId) ?? 0) + 1);
    this.changes++;
  }

  /**
   * The actions of (from, upTo] are recorded (PushProcessor onRecorded): counts kept up to `from`
   * take `counted` (the actions that count as unread, all of that range's) and move to `upTo`, so
   * the next /sync reads nothing for them. Only counts whose room kept its generation; rooms in
   * `uncounted` are left to be read (an event the database does not count, already redacted, is
   * among their actions). A count kept up to `from` later (made while the batch was recorded, or
   * with nothing in it) takes it when next asked (counts()): the last KEPT_BATCHES batches are
   * kept, and only batches with no room change since they were recorded are taken.
   */
  recorded(from: number, upTo: number, counted: readonly { userId: string; roomId: string; threadId: string; highlight: boolean }[], uncounted: ReadonlySet<string> = new Set()): void {
    const byKey = new Map<string, { threadId: string; highlight: boolean }[]>();
    const add = (key: string, a: { threadId: string; highlight: boolean }): void => {
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [a]);
      else list.push(a);
    };
    for (const a of counted) {
      if (uncounted.has(a.roomId)) continue;
      add(`${a.userId}\u0000${a.roomId}\u0000*`, a);
      add(`${a.userId}\u0000${a.roomId}\u0000${a.threadId}`, a);
    }
    // an empty range moves nothing (and would chain to itself)
    if (upTo > from) this.batches.set(from, { from, upTo, byKey, uncounted, changes: this.changes });
    if (this.batches.size > KEPT_BATCHES) this.batches.delete(this.batches.keys().next().value as number);
    for (const key of byKey.keys()) {
      const e = this.entries.peek(key);
      if (e !== undefined) this.replay(key, e);
    }
  }

  /**
   * Moves a count kept up to a recorded batch's start past it, and past the batches that follow
   * it, up to `limit` (see recorded).
   */
  private replay(key: string, e: Entry, limit = Infinity): void {
    const roomId = key.slice(key.indexOf("\u0000") + 1, key.lastIndexOf("\u0000"));
    for (let b = this.batches.get(e.upTo); b !== undefined && b.upTo <= limit; b = this.batches.get(e.upTo)) {
      // no redaction evaluated since the batch (changes) and the count is of the room's generation
      if (e.after > b.from || b.changes !== this.changes) return;
      if (b.uncounted.has(roomId) || e.generation !== (this.generations.get(roomId) ?? 0)) return;
      e.prev = { upTo: e.upTo, rows: new Map([...e.rows].map(([t, c]) => [t, { ...c }])) };
      // a (user, room, scope) with no action in the batch has none to add: it moves all the same
      for (const a of b.byKey.get(key) ?? []) {
        const c = e.rows.get(a.threadId) ?? { threadId: a.threadId, notifications: 0, highlights: 0 };
        e.rows.set(a.threadId, { threadId: a.threadId, notifications: c.notifications + 1, highlights: c.highlights + (a.highlight ? 1 : 0) });
      }
      e.upTo = b.upTo;
    }
  }

  /**
   * Counts of notifying events in (after, upTo] for `scope` (a thread id, or "*" for all threads
   * grouped): the kept counts plus a count of what came since, or a full count.
   */
  async counts(userId: string, roomId: string, scope: string, after: number, upTo: number, count: RangeCount): Promise<ThreadCounts[]> {
    const key = `${userId}\u0000${roomId}\u0000${scope}`;
    const generation = this.generations.get(roomId) ?? 0;
    const kept = this.entries.peek(key);
    // kept up to a recorded batch's start, asked up to its end or past it: the batches' actions
    // for this key (none for most: a message that does not notify the user) move it first
    if (kept !== undefined && kept.upTo < upTo) this.replay(key, kept, upTo);
    // asked up to where the last recorded batch started, after it moved the counts (PostgreSQL: a
    // /sync counting the batch from memory, its read positions read meanwhile): the counts before it
    if (kept?.prev !== undefined && kept.after === after && kept.generation === generation && kept.prev.upTo === upTo) {
      return [...kept.prev.rows.values()].map((r) => ({ ...r }));
    }
    const usable = kept !== undefined && kept.after === after && kept.generation === generation && kept.upTo <= upTo;
    const rows = new Map<string, ThreadCounts>(usable ? [...kept.rows].map(([t, c]) => [t, { ...c }]) : []);
    const from = usable ? kept.upTo : after;
    if (from < upTo) {
      for (const r of await count(from, upTo)) {
        const c = rows.get(r.threadId);
        rows.set(r.threadId, c ? { threadId: r.threadId, notifications: c.notifications + r.notifications, highlights: c.highlights + r.highlights } : { ...r });
      }
    }
    const answer = [...rows.values()].map((r) => ({ ...r }));
    if ((this.generations.get(roomId) ?? 0) === generation) {
      // (re)set: the most recently used
      const entry = { after, upTo: Math.max(upTo, from), generation, rows };
      this.entries.set(key, entry);
      this.replay(key, entry);
    } else if (kept !== undefined && !usable) {
      this.entries.delete(key);
    }
    return answer;
  }
}
