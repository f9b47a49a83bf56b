// GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidcontexteventid
import type { JsonObject } from "../../../room/pdu.ts";
import { splitStateKey } from "../../../room/pdu.ts";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import { serializeRoomEvents, type SerializeContext } from "../../rooms/bundled-aggregations.ts";
import { formatPaginationToken } from "../../rooms/pagination-token.ts";
import { matchesRoomEventFilter, parseRoomEventFilterParam, type RoomEventFilter } from "../../rooms/room-event-filter.ts";
import { RoomVisibility, requireRoomAccess, roomIdOfRow } from "../../rooms/visibility.ts";
import { MAX_LIMIT, paginateRoom } from "./messages.ts";
import { eventIdParam, limitParam, notFound, roomIdParam } from "./params.ts";

export const contextHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const eventId = eventIdParam(ctx);
  const limit = limitParam(ctx.query, 10, MAX_LIMIT);
  const filter = parseRoomEventFilterParam(ctx.query.get("filter"));
  const access = await requireRoomAccess(s, me.userId, roomId, { allowFormerMembers: true });
  const visibility = new RoomVisibility(s, roomId, me.userId);
  const row = await s.stores.events.getEvent(eventId);
  if (!row || roomIdOfRow(row) !== roomId || !(await visibility.canSee(row))) throw notFound();
  // The limit is shared between both sides, as evenly as possible.
  const beforeLimit = Math.floor(limit / 2);
  const common = { roomId, access, visibility, filter, to: undefined };
  const before = beforeLimit === 0 ? [] : (await paginateRoom(s, { ...common, from: row.stream, backwards: true, limit: beforeLimit })).rows;
  const after = limit - beforeLimit === 0 ? [] : (await paginateRoom(s, { ...common, from: row.stream + 1, backwards: false, limit: limit - beforeLimit })).rows;
  const sctx: SerializeContext = { userId: me.userId, deviceId: me.deviceId, version: access.version, visibility };
  const [event] = await serializeRoomEvents(s, sctx, [row]);
  const lastRow = after.at(-1) ?? row;
  return { json: {
    event,
    events_before: await serializeRoomEvents(s, sctx, before),
    events_after: await serializeRoomEvents(s, sctx, after),
    start: formatPaginationToken(before.at(-1)?.stream ?? row.stream),
    end: formatPaginationToken(lastRow.stream + 1),
    state: await stateAt(s, sctx, roomId, lastRow.stateGroup, filter, [row, ...before, ...after]),
  } };
};

/** The state at the last returned event, filtered; lazy-loading keeps only the senders' members. */
async function stateAt(
  s: ServerContext, sctx: SerializeContext, roomId: string, group: number | undefined, filter: RoomEventFilter, shown: readonly StoredEventRow[],
): Promise<JsonObject[]> {
  if (group === undefined) return [];
  const state = await s.stores.events.stateMapOfGroup(group);
  const senders = new Set(shown.map((r) => r.event.pdu.sender));
  const ids: string[] = [];
  for (const [key, id] of state) {
    const [type, stateKey] = splitStateKey(key);
    if (filter.lazyLoadMembers && type === "m.room.member" && !senders.has(stateKey)) continue;
    ids.push(id);
  }
  const loaded = await s.stores.events.getEvents(ids);
  const rows = ids.map((id) => loaded.get(id)).filter((r): r is StoredEventRow => r !== undefined && matchesRoomEventFilter(filter, r.event.pdu, roomId));
  return serializeRoomEvents(s, sctx, rows);
}
