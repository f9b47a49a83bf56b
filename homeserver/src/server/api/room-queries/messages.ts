// GET /_matrix/client/v3/rooms/{roomId}/messages
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidmessages
// Tokens: see rooms/pagination-token.ts (t<N> is the position just before stream N).
import { stateKeyOf } from "../../../room/pdu.ts";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import { serializeRoomEventsText, type SerializeContext } from "../../rooms/bundled-aggregations.ts";
import { jsonTextResult } from "../../http/json-text.ts";
import { senderOfRow } from "../../../storage/event-columns.ts";
import { FIRST_POSITION, formatPaginationToken, nextPaginationToken, streamRange } from "../../rooms/pagination-token.ts";
import { hasUnfetchedHistory } from "../../rooms/history-gap.ts";
import { rowMatchesRoomEventFilter, parseRoomEventFilterParam, type RoomEventFilter } from "../../rooms/room-event-filter.ts";
import { RoomVisibility, requireRoomAccess, type RoomAccess } from "../../rooms/visibility.ts";
import { dirParam, limitParam, roomIdParam, tokenParam } from "./params.ts";
import { scanVisible, type ScanResult } from "./scan.ts";

export const MAX_LIMIT = 1000;

export const messagesHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const backwards = dirParam(ctx.query) === "b";
  const filter = parseRoomEventFilterParam(ctx.query.get("filter"));
  const limit = ctx.query.get("limit") === null ? Math.min(filter.limit ?? 10, MAX_LIMIT) : limitParam(ctx.query, 10, MAX_LIMIT);
  let from = tokenParam(ctx.query, "from");
  const to = tokenParam(ctx.query, "to");
  const access = await requireRoomAccess(s, me.userId, roomId, { allowFormerMembers: true });
  // not into a write body still running (SQLite: reads see it half done, and it may roll back)
  // forwards without `from`: from the room's first event, backfilled history (negative positions) included
  from ??= backwards ? (await s.stores.events.settledMaxStream()) + 1 : FIRST_POSITION;
  const start = ctx.query.get("from") || formatPaginationToken(from);
  if (limit === 0) return { json: { chunk: [], start, end: start } };
  const visibility = new RoomVisibility(s, roomId, me.userId);
  let page = await paginateRoom(s, { roomId, access, visibility, filter, from, to, backwards, limit });
  // Past the oldest event we hold: ask another council for the history before our join.
  if (backwards && page.rows.length < limit && s.federation && (await s.federation.backfiller.backfill(roomId, limit)) > 0) {
    page = await paginateRoom(s, { roomId, access, visibility, filter, from, to, backwards, limit });
  }
  // Local history exhausted but the room goes further back: hand out a token so the client asks
  // again and backfill continues to m.room.create. A page with nothing visible ends pagination
  // (backfill made no progress, or history-visibility hides what came before).
  const oldest = page.rows[page.rows.length - 1];
  if (backwards && page.next === undefined && oldest && to === undefined && s.federation && (await hasUnfetchedHistory(s.stores.events, roomId))) {
    page = { ...page, next: nextPaginationToken(oldest.stream, true) };
  }
  const sctx: SerializeContext = { userId: me.userId, deviceId: me.deviceId, version: access.version, visibility };
  const body: Record<string, string | string[]> = { chunk: await serializeRoomEventsText(s, sctx, page.rows), start: JSON.stringify(start) };
  if (page.next !== undefined) body["end"] = JSON.stringify(page.next);
  if (filter.lazyLoadMembers) body["state"] = await serializeRoomEventsText(s, sctx, await senderMemberRows(s, page.rows, page.rows[0]?.stateGroup));
  return jsonTextResult(body);
};

export interface RoomPageRequest {
  roomId: string;
  access: RoomAccess;
  visibility: RoomVisibility;
  filter: RoomEventFilter;
  from: number;
  to: number | undefined;
  backwards: boolean;
  limit: number;
}

/** One page of a room's timeline as the user may see it (former members stop at their leave). */
export function paginateRoom(s: Pick<ServerContext, "stores">, req: RoomPageRequest): Promise<ScanResult> {
  const range = streamRange(req.from, req.to, req.backwards);
  const before = req.access.upTo === undefined ? range.before : Math.min(range.before, req.access.upTo);
  return scanVisible({
    after: range.after, before, backwards: req.backwards, limit: req.limit,
    // SQLite: reads see a write body half done; a page (and its token) stops before it, else a body
    // that then rolls back leaves the client an event that never was, and a token past positions
    // the next events take again (EventStore.settledPosition, read in the statement's tick)
    fetch: async (after, upper, n) => {
      const events = s.stores.events;
      const settled = events.settledPosition();
      return events.roomEvents(req.roomId, { after, before: settled(upper), limit: n, backwards: req.backwards });
    },
    accept: async (row) => rowMatchesRoomEventFilter(req.filter, row, req.roomId) && (await req.visibility.canSee(row)),
  });
}

/**
 * Lazy-loaded members: the m.room.member events of the senders of `rows`, taken from the state at
 * `stateGroup`. https://spec.matrix.org/v1.16/client-server-api/#lazy-loading-room-members
 */
async function senderMemberRows(s: Pick<ServerContext, "stores">, rows: readonly StoredEventRow[], stateGroup: number | undefined): Promise<StoredEventRow[]> {
  if (stateGroup === undefined || rows.length === 0) return [];
  const state = await s.stores.events.stateMapOfGroup(stateGroup);
  const senders = new Set(rows.map(senderOfRow));
  const ids = [...senders].map((u) => state.get(stateKeyOf("m.room.member", u))).filter((id): id is string => id !== undefined);
  const loaded = await s.stores.events.getEvents(ids);
  return ids.map((id) => loaded.get(id)).filter((r): r is StoredEventRow => r !== undefined);
}
