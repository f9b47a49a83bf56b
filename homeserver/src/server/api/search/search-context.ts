// event_context of a search result: the events just before and after it that the user may see
// (the /context pagination, unfiltered), pagination tokens around them, and with include_profile
// the senders' display names and avatars from the room state at the result.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3search (EventContext)
import type { JsonObject } from "../../../room/pdu.ts";
import { stateKeyOf } from "../../../room/pdu.ts";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import type { ServerContext } from "../../context.ts";
import { serializeRoomEvents, type SerializeContext } from "../../rooms/bundled-aggregations.ts";
import { formatPaginationToken } from "../../rooms/pagination-token.ts";
import { EMPTY_ROOM_EVENT_FILTER } from "../../rooms/room-event-filter.ts";
import type { RoomAccess } from "../../rooms/visibility.ts";
import { paginateRoom } from "../room-queries/messages.ts";
import type { EventContextRequest } from "./search-request.ts";

export async function eventContext(
  s: Pick<ServerContext, "db" | "stores" | "clock">, sctx: SerializeContext, access: RoomAccess, roomId: string,
  row: StoredEventRow, req: EventContextRequest,
): Promise<JsonObject> {
  const common = { roomId, access, visibility: sctx.visibility, filter: EMPTY_ROOM_EVENT_FILTER, to: undefined };
  const before = req.beforeLimit === 0 ? [] : (await paginateRoom(s, { ...common, from: row.stream, backwards: true, limit: req.beforeLimit })).rows;
  const after = req.afterLimit === 0 ? [] : (await paginateRoom(s, { ...common, from: row.stream + 1, backwards: false, limit: req.afterLimit })).rows;
  const out: JsonObject = {
    events_before: await serializeRoomEvents(s, sctx, before),
    events_after: await serializeRoomEvents(s, sctx, after),
    start: formatPaginationToken(before.at(-1)?.stream ?? row.stream),
    end: formatPaginationToken((after.at(-1) ?? row).stream + 1),
  };
  if (req.includeProfile) out["profile_info"] = await profiles(s, row, [row, ...before, ...after]);
  return out;
}

/** Display name and avatar of each sender, as their member event in the state at the result says. */
async function profiles(s: Pick<ServerContext, "stores">, at: StoredEventRow, rows: readonly StoredEventRow[]): Promise<JsonObject> {
  const out: JsonObject = {};
  if (at.stateGroup === undefined) return out;
  const state = await s.stores.events.stateMapOfGroup(at.stateGroup);
  const senders = [...new Set(rows.map((r) => r.event.pdu.sender))];
  const ids = senders.map((u) => state.get(stateKeyOf("m.room.member", u)));
  const members = await s.stores.events.getEvents(ids.filter((id): id is string => id !== undefined));
  senders.forEach((userId, i) => {
    const id = ids[i];
    const content = id === undefined ? undefined : members.get(id)?.event.pdu.content;
    const profile: JsonObject = {};
    if (typeof content?.["displayname"] === "string") profile["displayname"] = content["displayname"];
    if (typeof content?.["avatar_url"] === "string") profile["avatar_url"] = content["avatar_url"];
    out[userId] = profile;
  });
  return out;
}
