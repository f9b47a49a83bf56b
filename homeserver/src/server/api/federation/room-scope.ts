// Every federation route naming a room AND events checks that the events belong to that room.
// The caller is only checked against the room of the path: without this, a partner in one shared
// room could read the state, auth chain or history of any other room whose event ids it knows.
import type { StoredEventRow } from "../../../storage/event-store.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";

/** The room of a stored event; a v12 m.room.create has no room_id, the room id is derived from its id. */
export function roomOfRow(row: StoredEventRow): string {
  return row.event.pdu.room_id ?? "!" + row.event.eventId.slice(1);
}

/** The same answer as for an unknown event, so the reply does not tell that the event exists elsewhere. */
const notInRoom = (): MatrixError => new MatrixError("M_NOT_FOUND", 404, "Unknown event in this room");

/** The rows of `ids`, all stored and all of `roomId`, or 404 M_NOT_FOUND. */
export async function requireEventsInRoom(s: ServerContext, roomId: string, ids: readonly string[]): Promise<Map<string, StoredEventRow>> {
  const rows = await s.stores.events.getEvents([...new Set(ids)]);
  for (const id of ids) {
    const row = rows.get(id);
    if (!row || roomOfRow(row) !== roomId) throw notInRoom();
  }
  return rows;
}

/** Ids we hold that are of another room: 404. Unknown ids are allowed (e.g. the caller's own extremities). */
export async function refuseEventsOfOtherRooms(s: ServerContext, roomId: string, ids: readonly string[]): Promise<void> {
  const rows = await s.stores.events.getEvents([...new Set(ids)]);
  for (const row of rows.values()) if (roomOfRow(row) !== roomId) throw notInRoom();
}

/**
 * The auth chain of `ids` restricted to `roomId`: an event's auth_events may name events of another
 * room (a forged event stored as rejected does), and those are neither returned nor followed.
 * Events we do not hold are skipped too (the answer is what we can prove, not a 500).
 */
export async function roomAuthChain(s: ServerContext, roomId: string, ids: Iterable<string>): Promise<Map<string, StoredEventRow>> {
  const inRoom = new Map<string, StoredEventRow>();
  // as room/auth-chain.ts: a start event is part of the chain only when an auth_events link reaches it
  const reached = new Set<string>();
  let frontier = [...new Set(ids)];
  const loaded = new Set(frontier);
  while (frontier.length > 0) {
    const rows = await s.stores.events.getEvents(frontier);
    const next: string[] = [];
    for (const row of rows.values()) {
      if (roomOfRow(row) !== roomId) continue;
      inRoom.set(row.event.eventId, row);
      for (const a of row.event.pdu.auth_events) {
        reached.add(a);
        if (!loaded.has(a)) {
          loaded.add(a);
          next.push(a);
        }
      }
    }
    frontier = next;
  }
  const chain = new Map<string, StoredEventRow>();
  for (const id of reached) {
    const row = inRoom.get(id);
    if (row) chain.set(id, row);
  }
  return chain;
}
