// Unread counts without rescanning: for a (user, room, scope) whose read position has not moved,
// the counts up to a position are kept and only the notifying events after it are counted on the
// next /sync. A reader with 10,000 unread messages then costs what a reader with a few does. Every
// non-zero count is kept.
// A kept count stays true because push actions are recorded in stream order behind the evaluation
// cursor (none appears below a counted position later; callers pass the cache only for counts up
// to an evaluated position, push-service.ts keptCountsUpTo) and the one other thing that changes what
// counts, a redaction, bumps the room's generation when the evaluation reaches it (after commit);
// a count computed across a bump is not kept. In memory, per process, bounded.
import type { ThreadCounts } from "../../storage/push-store.ts";
import { LruMap } from "../cache/lru-map.ts";

/** Counts kept at most; the oldest goes first. */
const MAX_ENTRIES = 50_000;

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
  /** The last recorded batch: its range, its actions by count key, its uncounted rooms, `changes` then. */
  private last: { from: number; upTo: number; byKey: Map<string, { threadId: string; highlight: boolean }[]>; uncounted: ReadonlySet<string>; changes: number } | undefined;

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
   * among their actions). A count kept up to `from` later (made while the batch was recorded)
   * takes it then (counts()): the last batch is kept until the next one or a room change.
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
    this.last = { from, upTo, byKey, uncounted, changes: this.changes };
    for (const key of byKey.keys()) {
      const e = this.entries.peek(key);
      if (e !== undefined) this.replay(key, e);
    }
  }

  /** Moves a count kept up to the last recorded batch's start past it (see recorded). */
  private replay(key: string, e: Entry): void {
    const last = this.last;
    if (last === undefined || e.upTo !== last.from || e.after > last.from || last.changes !== this.changes) return;
    const roomId = key.slice(key.indexOf("\u0000") + 1, key.lastIndexOf("\u0000"));
    // no redaction evaluated since the batch (changes) and the count is of the room's generation
    if (last.uncounted.has(roomId) || e.generation !== (this.generations.get(roomId) ?? 0)) return;
    e.prev = { upTo: e.upTo, rows: new Map([...e.rows].map(([t, c]) => [t, { ...c }])) };
    // a (user, room, scope) with no action in the batch has none to add: it moves all the same
    for (const a of last.byKey.get(key) ?? []) {
      const c = e.rows.get(a.threadId) ?? { threadId: a.threadId, notifications: 0, highlights: 0 };
      e.rows.set(a.threadId, { threadId: a.threadId, notifications: c.notifications + 1, highlights: c.highlights + (a.highlight ? 1 : 0) });
    }
    e.upTo = last.upTo;
  }

  /**
   * Counts of notifying events in (after, upTo] for `scope` (a thread id, or "*" for all threads
   * grouped): the kept counts plus a count of what came since, or a full count.
   */
  async counts(userId: string, roomId: string, scope: string, after: number, upTo: number, count: RangeCount): Promise<ThreadCounts[]> {
    const key = `${userId}\u0000${roomId}\u0000${scope}`;
    const generation = this.generations.get(roomId) ?? 0;
    const kept = this.entries.peek(key);
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
    const total = [...rows.values()].reduce((n, r) => n + r.notifications, 0);
    const answer = [...rows.values()].map((r) => ({ ...r }));
    if (total > 0 && (this.generations.get(roomId) ?? 0) === generation) {
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
