// The events of one room's /sync timeline: the newest `limit` events in (since, upTo]. When the
// client has nothing of the room yet (initial sync, a room newly joined, or newly left), only
// events the user may see per history visibility count, and the timeline is `limited` when older
// visible events exist here or the room's history goes back further than this server holds (a
// room joined over federation): the client then paginates from prev_batch and /messages backfills.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#syncing (limited, prev_batch)
import type { StoredEventRow } from "../../storage/event-store.ts";
import type { ServerContext } from "../context.ts";
import { hasUnfetchedHistory } from "../rooms/history-gap.ts";
import { RoomVisibility } from "../rooms/visibility.ts";

/** Events examined at most per room, so a room whose history is hidden never costs a full scan. */
const MAX_SCANNED = 1000;

export interface TimelineWindow {
  /** Oldest first. */
  rows: StoredEventRow[];
  limited: boolean;
}

export async function timelineWindow(
  s: Pick<ServerContext, "db" | "stores">, q: { roomId: string; userId: string; since: number; upTo: number; limit: number; ignored?: ReadonlySet<string> },
): Promise<TimelineWindow> {
  const events = s.stores.events;
  if (q.since > 0) {
    // The user was in the room at `since`: everything after it is theirs to see.
    const fetched = await events.roomEvents(q.roomId, { after: q.since, before: q.upTo, limit: q.limit + 1, backwards: true });
    return { rows: fetched.slice(0, q.limit).reverse(), limited: fetched.length > q.limit };
  }
  const visibility = new RoomVisibility(s, q.roomId, q.userId, q.ignored ? { ignored: q.ignored } : {});
  const rows: StoredEventRow[] = [];
  let before = q.upTo;
  let scanned = 0;
  const batchSize = Math.min(q.limit + 1, 200);
  for (;;) {
    const batch = await events.roomEvents(q.roomId, { before, limit: batchSize, backwards: true });
    for (const row of batch) {
      scanned++;
      if (await visibility.canSee(row)) rows.push(row);
      if (rows.length > q.limit) return { rows: rows.slice(0, q.limit).reverse(), limited: true };
    }
    const last = batch[batch.length - 1];
    if (batch.length < batchSize || !last) break;
    if (scanned >= MAX_SCANNED) return { rows: rows.reverse(), limited: true };
    before = last.stream - 1;
  }
  // Everything held locally fits: limited only if the room's history starts before what we hold.
  return { rows: rows.reverse(), limited: await hasUnfetchedHistory(events, q.roomId) };
}
