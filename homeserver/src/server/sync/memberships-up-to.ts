// The user's memberships as of the events position a /sync hands out. The membership rows are
// read after that position: on SQLite they show a write not committed yet (a leave stored in an
// open group, which may still roll back: the client would be told of a membership that never
// was), and on either database a change committed in between. A row past the position is replaced
// by the user's membership in the room's state at the position (or left out when there was none);
// the next /sync, starting at the position, sends the change once it is settled.
import { stateKeyOf } from "../../room/pdu.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";

type Membership = Awaited<ReturnType<RoomStore["roomsForUser"]>>[number];
type Events = Pick<EventStore, "stateGroupAt" | "stateMapOfGroup" | "getEvent">;

export async function membershipsUpTo(events: Events, userId: string, list: readonly Membership[], upTo: number): Promise<readonly Membership[]> {
  if (list.every((m) => m.stream <= upTo)) return list; // nearly always: no read
  const out: Membership[] = [];
  for (const m of list) {
    if (m.stream <= upTo) out.push(m);
    else {
      const before = await membershipAt(events, m.roomId, userId, upTo);
      if (before !== undefined) out.push({ ...m, ...before });
    }
  }
  return out;
}

async function membershipAt(events: Events, roomId: string, userId: string, upTo: number): Promise<Pick<Membership, "membership" | "eventId" | "stream"> | undefined> {
  const group = await events.stateGroupAt(roomId, upTo);
  const id = group === undefined ? undefined : (await events.stateMapOfGroup(group)).get(stateKeyOf("m.room.member", userId));
  const row = id === undefined ? undefined : await events.getEvent(id);
  const membership = row?.event.pdu.content["membership"];
  return row !== undefined && typeof membership === "string" && row.stream <= upTo ? { membership, eventId: row.event.eventId, stream: row.stream } : undefined;
}
