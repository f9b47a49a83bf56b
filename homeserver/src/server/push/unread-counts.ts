// Unread notification counts of a room from the recorded push actions and the user's read
// receipts: an unthreaded receipt clears everything up to it, a receipt with thread_id "main" or
// a thread root clears that thread only; m.read and m.read.private count, the further one wins.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#receiving-notifications
//       https://spec.matrix.org/v1.16/client-server-api/#threaded-read-receipts
import type { JsonObject } from "../../room/pdu.ts";
import type { PushActionRow, PushStore } from "../../storage/push-store.ts";
import type { UnreadCountCache } from "./unread-cache.ts";

export interface Counts {
  notifications: number;
  highlights: number;
}

export interface RoomUnread {
  total: Counts;
  main: Counts;
  /** Threads with unread notifications, by thread root. */
  threads: Map<string, Counts>;
}

/**
 * `cache` (optional) spares rescanning what was counted before while the read position stays.
 * `later`: notifying actions after `upTo` not recorded yet (the evaluation's batch in memory,
 * PushProcessor.evaluatedTo), counted after the read positions as the recorded ones are.
 * `readPositions`: the user's read positions in the room when the caller has them (kept).
 */
export async function roomUnread(store: PushStore, userId: string, roomId: string, upTo: number, cache?: UnreadCountCache, later: readonly PushActionRow[] = [], readPositions?: ReadonlyMap<string, number>): Promise<RoomUnread> {
  const read = readPositions ?? await store.readPositions(userId, roomId);
  const base = read.get("") ?? 0;
  const total: Counts = { notifications: 0, highlights: 0 };
  let main: Counts = { notifications: 0, highlights: 0 };
  const threads = new Map<string, Counts>();
  const counted = new Map<string, Counts>();
  const grouped = (after: number, to: number) => store.countsByThread(userId, roomId, after, to);
  for (let row of cache ? await cache.counts(userId, roomId, "*", base, upTo, grouped) : await grouped(base, upTo)) {
    const own = read.get(row.threadId) ?? 0;
    if (own > base) {
      const thread = row.threadId;
      const one = async (after: number, to: number) => [await store.countInThread(userId, roomId, thread, after, to)];
      row = (cache ? await cache.counts(userId, roomId, thread, own, upTo, one) : await one(own, upTo))[0] ?? { threadId: thread, notifications: 0, highlights: 0 };
    }
    counted.set(row.threadId, { notifications: row.notifications, highlights: row.highlights });
  }
  for (const a of later) {
    if (a.userId !== userId || a.roomId !== roomId || a.stream <= Math.max(base, read.get(a.threadId) ?? 0)) continue;
    const c = counted.get(a.threadId) ?? { notifications: 0, highlights: 0 };
    counted.set(a.threadId, { notifications: c.notifications + 1, highlights: c.highlights + (a.highlight ? 1 : 0) });
  }
  for (const [threadId, c] of counted) {
    if (c.notifications === 0) continue;
    total.notifications += c.notifications;
    total.highlights += c.highlights;
    if (threadId === "main") main = c;
    else threads.set(threadId, c);
  }
  return { total, main, threads };
}

const wire = (c: Counts): JsonObject => ({ notification_count: c.notifications, highlight_count: c.highlights });

/**
 * The /sync fields of a joined room: `unread_notifications` (all threads together, or the main
 * timeline only when the client asked for `unread_thread_notifications`) and, then, per thread.
 */
export function unreadSyncFields(u: RoomUnread, perThread: boolean): JsonObject {
  if (!perThread) return { unread_notifications: wire(u.total) };
  const threads: JsonObject = {};
  for (const [root, c] of u.threads) threads[root] = wire(c);
  return { unread_notifications: wire(u.main), unread_thread_notifications: threads };
}
