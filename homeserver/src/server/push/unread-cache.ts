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

interface Entry { after: number; upTo: number; generation: number; rows: Map<string, ThreadCounts> }

export type RangeCount = (after: number, upTo: number) => Promise<ThreadCounts[]>;

export class UnreadCountCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly generations = new Map<string, number>();

  constructor(maxEntries = MAX_ENTRIES) {
    this.entries = new LruMap(maxEntries);
  }

  /** Something that changes past counts of the room happened (a redaction): forget them. */
  roomChanged(roomId: string): void {
    this.generations.set(roomId, (this.generations.get(roomId) ?? 0) + 1);
  }

  /**
   * Counts of notifying events in (after, upTo] for `scope` (a thread id, or "*" for all threads
   * grouped): the kept counts plus a count of what came since, or a full count.
   */
  async counts(userId: string, roomId: string, scope: string, after: number, upTo: number, count: RangeCount): Promise<ThreadCounts[]> {
    const key = `${userId}\u0000${roomId}\u0000${scope}`;
    const generation = this.generations.get(roomId) ?? 0;
    const kept = this.entries.peek(key);
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
    if (total > 0 && (this.generations.get(roomId) ?? 0) === generation) {
      // (re)set: the most recently used
      this.entries.set(key, { after, upTo: Math.max(upTo, from), generation, rows });
    } else if (kept !== undefined && !usable) {
      this.entries.delete(key);
    }
    return [...rows.values()].map((r) => ({ ...r }));
  }
}
