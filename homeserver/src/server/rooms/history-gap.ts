// Whether a room's history goes further back than what this server holds: the oldest event in
// the DAG has prev events we do not hold (a room joined over federation starts at the join).
// /sync then marks a new room's timeline `limited` and /messages keeps handing out an `end`
// token, so clients paginate and trigger backfill until m.room.create.
import type { EventStore } from "../../storage/event-store.ts";

export async function hasUnfetchedHistory(events: Pick<EventStore, "roomEvents" | "getEvents">, roomId: string): Promise<boolean> {
  const oldest = (await events.roomEvents(roomId, { limit: 1, backwards: false }))[0];
  if (!oldest || oldest.event.pdu.type === "m.room.create") return false;
  const prevIds = oldest.event.pdu.prev_events;
  if (prevIds.length === 0) return false;
  const prevs = await events.getEvents(prevIds);
  return prevIds.some((id) => { const p = prevs.get(id); return p === undefined || p.outlier; });
}
