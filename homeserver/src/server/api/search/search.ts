// POST /_matrix/client/v3/search: server-side search of room events (category room_events).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-side-search
// Searches the rooms the user is joined to (narrowed by the filter), keeps what history visibility
// lets the user see, and answers with ranks, highlights, optional context/state/groups and a
// keyset next_batch (search-token.ts). The index lives in storage/search-store.ts.
import type { JsonObject } from "../../../room/pdu.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { countSearchHits, markedTexts, type SearchQuery } from "../../../storage/search-store.ts";
import { markedWords, queryWords, searchableText } from "../../../storage/search-text.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import { serializeRoomEvents, type SerializeContext } from "../../rooms/bundled-aggregations.ts";
import { requireRoomAccess, type RoomAccess } from "../../rooms/visibility.ts";
import { eventContext } from "./search-context.ts";
import { parseSearchRequest, type GroupKey, type RoomEventsRequest } from "./search-request.ts";
import { scanSearch, VisibilityByRoom, type ScannedHit } from "./search-scan.ts";
import { formatSearchToken, parseSearchToken, type SearchToken } from "./search-token.ts";

type Deps = Pick<ServerContext, "db" | "stores" | "clock">;

export const searchHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const req = parseSearchRequest(ctx.body);
  const rawToken = ctx.query.get("next_batch");
  const token = rawToken === null || rawToken === "" ? undefined : parseSearchToken(rawToken);
  if (!req) return { json: { search_categories: {} } };
  if (token && token.order !== req.order) throw new MatrixError("M_INVALID_PARAM", 400, "'next_batch' belongs to a search with another order_by");
  return { json: { search_categories: { room_events: await searchRoomEvents(s, me, req, token) } } };
};

async function searchRoomEvents(s: Deps, me: { userId: string; deviceId: string }, req: RoomEventsRequest, token: SearchToken | undefined): Promise<JsonObject> {
  const f = req.filter;
  const joined = (await s.stores.rooms.roomsForUser(me.userId)).filter((r) => r.membership === "join").map((r) => r.roomId);
  let roomIds = joined.filter((id) => (f.rooms === undefined || f.rooms.includes(id)) && !f.notRooms.includes(id));
  let senders = f.senders;
  if (token?.group?.key === "room_id") roomIds = roomIds.filter((id) => id === token.group?.value);
  if (token?.group?.key === "sender") senders = (senders ?? [token.group.value]).filter((u) => u === token.group?.value);
  const query: SearchQuery = {
    term: req.term, roomIds, keys: req.keys, senders, notSenders: f.notSenders, order: req.order, cursor: token?.cursor, limit: req.limit,
  };
  const visibility = new VisibilityByRoom(s, me.userId);
  const scan = await scanSearch(s, query, f, visibility);
  const rooms = await roomAccesses(s, me.userId, scan.hits);
  const sctxOf = (roomId: string, access: RoomAccess): SerializeContext => ({ userId: me.userId, deviceId: me.deviceId, version: access.version, visibility: visibility.of(roomId) });

  const results: JsonObject[] = [];
  for (const h of scan.hits) {
    const access = rooms.get(h.roomId);
    if (!access) continue;
    const sctx = sctxOf(h.roomId, access);
    const [event] = await serializeRoomEvents(s, sctx, [h.row]);
    const result: JsonObject = { rank: h.hit.rank, result: event ?? null };
    if (req.context) result["context"] = await eventContext(s, sctx, access, h.roomId, h.row, req.context);
    results.push(result);
  }
  const out: JsonObject = {
    results,
    count: await countSearchHits(s.db, s.db.dialect, { ...query, cursor: undefined }),
    highlights: await highlights(s, req.term, scan.hits),
  };
  const next = scan.next && { order: req.order, cursor: scan.next, group: token?.group };
  if (next) out["next_batch"] = formatSearchToken(next);
  if (req.groupBy.length > 0) out["groups"] = groups(req.groupBy, scan.hits, next);
  if (req.includeState) out["state"] = await currentStates(s, rooms, sctxOf);
  return out;
}

async function roomAccesses(s: Deps, userId: string, hits: readonly ScannedHit[]): Promise<Map<string, RoomAccess>> {
  const out = new Map<string, RoomAccess>();
  for (const roomId of new Set(hits.map((h) => h.roomId))) out.set(roomId, await requireRoomAccess(s, userId, roomId));
  return out;
}

/** The words as matched in the results (stems and accents resolved by the index), then the query's own words. */
async function highlights(s: Deps, term: string, hits: readonly ScannedHit[]): Promise<string[]> {
  const marked = await markedTexts(s.db, s.db.dialect, term, hits.map((h) => h.hit.stream));
  const words = new Set<string>();
  for (const h of hits) {
    const original = searchableText(h.row.event.pdu)?.text ?? "";
    for (const m of marked.get(h.hit.stream) ?? []) for (const w of markedWords(m, original)) words.add(w);
  }
  for (const w of queryWords(term)) words.add(w);
  return [...words];
}

/**
 * Results grouped by room or sender, in the page's order; each group's next_batch continues the
 * search within that group from where this page stopped.
 */
function groups(keys: readonly GroupKey[], hits: readonly ScannedHit[], next: SearchToken | undefined): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const byValue: JsonObject = {};
    for (const h of hits) {
      const value = key === "room_id" ? h.roomId : h.row.event.pdu.sender;
      let g = byValue[value] as { results: string[]; order: number; next_batch?: string } | undefined;
      if (!g) {
        g = { results: [], order: Object.keys(byValue).length + 1 };
        if (next) g.next_batch = formatSearchToken({ ...next, group: { key, value } });
        byValue[value] = g;
      }
      g.results.push(h.row.event.eventId);
    }
    out[key] = byValue;
  }
  return out;
}

async function currentStates(
  s: Deps, rooms: ReadonlyMap<string, RoomAccess>, sctxOf: (roomId: string, a: RoomAccess) => SerializeContext,
): Promise<JsonObject> {
  const out: JsonObject = {};
  for (const [roomId, access] of rooms) {
    const ids = (await s.stores.rooms.currentState(roomId)).map((e) => e.eventId);
    const loaded = await s.stores.events.getEvents(ids);
    const rows = ids.map((id) => loaded.get(id)).filter((r) => r !== undefined);
    out[roomId] = await serializeRoomEvents(s, sctxOf(roomId, access), rows);
  }
  return out;
}
