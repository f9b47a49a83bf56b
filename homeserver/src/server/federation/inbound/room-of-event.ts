// Keeps what another server answers inside the room we asked about. A stored event keeps the room
// it was stored under (the room_id column, read by /relations, /messages and visibility), so a
// server in room R must not be able to plant an event of another room X under R through a
// send_join answer, an /event fetch, backfill or get_missing_events. Such events are dropped and
// logged, never thrown: the rest of the answer is still used.
import type { RoomEvent } from "../../../room/pdu.ts";
import type { Logger } from "../../log.ts";

/** The room of an event; a v12 m.room.create has no room_id, the room id derives from its id. */
export function roomOfEvent(event: RoomEvent): string {
  return event.pdu.room_id ?? "!" + event.eventId.slice(1);
}

/** Whether `event` is of `roomId`; logs it when it is not. */
export function inRoomOrLog(event: RoomEvent, roomId: string, log: Logger, where: string): boolean {
  const room = roomOfEvent(event);
  if (room === roomId) return true;
  log.warn("remote event of another room dropped", { where, room_id: roomId, event_id: event.eventId, event_room_id: room });
  return false;
}

/** The events of `roomId` among `events` (the others are logged and dropped). */
export function keepRoomEvents(events: readonly RoomEvent[], roomId: string, log: Logger, where: string): RoomEvent[] {
  return events.filter((e) => inRoomOrLog(e, roomId, log, where));
}
