// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]],
// GET /_matrix/client/v1/rooms/{roomId}/threads
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventid
//       https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidthreads
import type { JsonObject } from "../../../room/pdu.ts";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import { relatedEventIds, relationTreeIds, roomStreamBounds, threadRoots } from "../../../storage/event-queries.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler, HandlerResult } from "../../http/router.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { serializeRoomEvents, serializeRoomEventsText } from "../../rooms/bundled-aggregations.ts";
import { jsonTextResult } from "../../http/json-text.ts";
import { LEAN_EVENTS_PARAM, leanClientEventText } from "../../rooms/client-event-text.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";
import { formatPaginationToken, streamRange } from "../../rooms/pagination-token.ts";
import { RoomVisibility, requireRoomAccess, roomIdOfRow } from "../../rooms/visibility.ts";
import { RelationTreeCache, type TreeRow } from "./relation-tree-cache.ts";
import { PAGE_SUMMARY_MEMBER, pageSummaryText } from "./relations-kinds.ts";
import { boolParam, dirParam, enumParam, eventIdParam, limitParam, nameParam, notFound, roomIdParam, tokenParam } from "./params.ts";
import { scanVisible } from "./scan.ts";

/** Spec: "Homeservers SHOULD traverse at least 3 levels of relationships". */
const RECURSION_DEPTH = 3;
/**
 * Largest page of relations (the spec sets none): a task list's anchor has thousands of roots and
 * the web client gathers 10,000 per widget request. A page costs ~3 ms CPU before its events
 * (auth, room, parent, tree window, HTTP) and one round trip: 5 pages instead of 23 for a
 * 22,000-event list (docs/perf/listfetch.md). The scan stops at 5,000 rows anyway (scan.ts).
 */
const MAX_RELATIONS_PAGE = 5000;

export const relationsHandler = (s: ServerContext): Handler => {
  const trees = new RelationTreeCache();
  return (ctx) => relations(s, trees, ctx);
};

async function relations(s: ServerContext, trees: RelationTreeCache, ctx: RequestContext): Promise<HandlerResult> {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const parentId = eventIdParam(ctx);
  const relType = ctx.params["relType"] === undefined ? undefined : nameParam(ctx, "relType");
  const eventType = ctx.params["eventType"] === undefined ? undefined : nameParam(ctx, "eventType");
  const backwards = dirParam(ctx.query, "b") === "b";
  const limit = limitParam(ctx.query, 10, MAX_RELATIONS_PAGE, 1);
  const fromRaw = ctx.query.get("from");
  const from = tokenParam(ctx.query, "from") ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
  const to = tokenParam(ctx.query, "to");
  const recurse = boolParam(ctx.query, "recurse");
  // Our extension (client-event-text.ts): the events without room_id and unsigned, no bundles.
  const lean = boolParam(ctx.query, LEAN_EVENTS_PARAM) === true;
  // The parent must exist and be visible to the user, else 404 (spec).
  const room = await s.stores.rooms.getRoom(roomId);
  const parent = await s.stores.events.getEvent(parentId);
  const visibility = new RoomVisibility(s, roomId, me.userId);
  if (!room || !parent || roomIdOfRow(parent) !== roomId || !(await visibility.canSee(parent))) throw notFound();
  const depth = recurse ? RECURSION_DEPTH : 1;
  const range = streamRange(from, to, backwards);
  const page = await scanVisible({
    ...range, backwards, limit,
    fetch: async (after, before, n) => {
      const filters = { roomId, ...(relType ? { relType } : {}), ...(eventType ? { eventType } : {}), after, before, limit: n, backwards };
      let ids: TreeRow[] | undefined;
      if (depth === 1) ids = await relatedEventIds(s.db, { ...filters, parentIds: [parentId] });
      else {
        const key = JSON.stringify([roomId, parentId, depth, relType ?? null, eventType ?? null]);
        ids = await trees.window(key, { after, before, n, backwards }, {
          maxStream: () => s.stores.events.maxStream(),
          roomBounds: () => roomStreamBounds(s.db, roomId),
          walk: (upTo, limit) => relationTreeIds(s.db, { ...filters, parentId, depth, after: 0, before: upTo, limit, backwards: false }),
        }) ?? await relationTreeIds(s.db, { ...filters, parentId, depth });
      }
      const loaded = await s.stores.events.eventsAtStreams(ids.map((r) => r.stream));
      // the position must still hold that event (a cached tree may be older than a deletion)
      return ids.map((r) => loaded.get(r.stream)).filter((row, i): row is StoredEventRow => row !== undefined && row.event.eventId === ids[i]?.eventId);
    },
    accept: (row) => visibility.canSee(row),
  });
  const version = versionOrThrow(room.version);
  const sctx = { userId: me.userId, deviceId: me.deviceId, version, visibility };
  // next_batch first (members keep this order): a client streaming the body can ask for the next
  // page from its first bytes, while the rest of this one arrives and is parsed (our web client,
  // client/src/core/widgets/raw-relations.ts); the chunk last, after a lean page's summary
  // (relations-kinds.ts), so that client reads every other member without parsing the events.
  // JSON readers do not care about the order.
  const body: Record<string, string | string[]> = {};
  if (page.next !== undefined) body["next_batch"] = JSON.stringify(page.next);
  if (fromRaw) body["prev_batch"] = JSON.stringify(fromRaw);
  if (recurse !== undefined) body["recursion_depth"] = JSON.stringify(depth);
  if (lean) {
    const texts = page.rows.map((row) => leanClientEventText(row, version));
    const summary = pageSummaryText(texts);
    if (summary !== undefined) body[PAGE_SUMMARY_MEMBER] = summary;
    body["chunk"] = texts;
  } else body["chunk"] = await serializeRoomEventsText(s, sctx, page.rows);
  return jsonTextResult(body);
}

/** Thread roots newest-activity first; `from` t<N> continues with threads whose latest event is before N. */
export const threadsHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const include = enumParam(ctx.query, "include", ["all", "participated"] as const) ?? "all";
  const limit = limitParam(ctx.query, 10, 100, 1);
  const from = tokenParam(ctx.query, "from");
  const access = await requireRoomAccess(s, me.userId, roomId, { allowFormerMembers: true });
  const candidates = await threadRoots(s.db, roomId, {
    before: from === undefined ? Number.MAX_SAFE_INTEGER : from - 1, limit: limit + 1, ...(include === "participated" ? { participant: me.userId } : {}),
  });
  const page = candidates.slice(0, limit);
  const visibility = new RoomVisibility(s, roomId, me.userId);
  const loaded = await s.stores.events.getEvents(page.map((c) => c.rootId));
  const roots: StoredEventRow[] = [];
  for (const c of page) {
    const row = loaded.get(c.rootId);
    if (row && roomIdOfRow(row) === roomId && (await visibility.canSee(row))) roots.push(row);
  }
  const json: JsonObject = { chunk: await serializeRoomEvents(s, { userId: me.userId, deviceId: me.deviceId, version: access.version, visibility }, roots) };
  const last = page.at(-1);
  if (candidates.length > limit && last) json["next_batch"] = formatPaginationToken(last.latest);
  return { json };
};
