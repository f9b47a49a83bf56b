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
import { LEAN_EVENTS_PARAM } from "../../rooms/client-event-text.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";
import { FIRST_POSITION, formatPaginationToken, streamRange } from "../../rooms/pagination-token.ts";
import { RoomVisibility, requireRoomAccess, roomIdOfRow } from "../../rooms/visibility.ts";
import { RelationTreeCache, type TreeRow } from "./relation-tree-cache.ts";
import { leanPageResult } from "./relations-kinds.ts";
import { LeanEventCache, leanSourceOf, type LeanEvent } from "./relations-lean-cache.ts";
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

/** One lean-event cache per server, shared by the three /relations routes (relations-lean-cache.ts). */
const leanCaches = new WeakMap<ServerContext, LeanEventCache>();

export const relationsHandler = (s: ServerContext): Handler => {
  const trees = new RelationTreeCache();
  let lean = leanCaches.get(s);
  if (lean === undefined) leanCaches.set(s, (lean = new LeanEventCache()));
  const leanCache = lean;
  return (ctx) => relations(s, trees, leanCache, ctx);
};

async function relations(s: ServerContext, trees: RelationTreeCache, leanCache: LeanEventCache, ctx: RequestContext): Promise<HandlerResult> {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const parentId = eventIdParam(ctx);
  const relType = ctx.params["relType"] === undefined ? undefined : nameParam(ctx, "relType");
  const eventType = ctx.params["eventType"] === undefined ? undefined : nameParam(ctx, "eventType");
  const backwards = dirParam(ctx.query, "b") === "b";
  const limit = limitParam(ctx.query, 10, MAX_RELATIONS_PAGE, 1);
  const fromRaw = ctx.query.get("from");
  // Without `from`, from the newest backwards or the oldest forwards: backfilled history (events
  // fetched from other servers, a partner council's tasks from before this server joined) has
  // negative positions.
  const from = tokenParam(ctx.query, "from") ?? (backwards ? Number.MAX_SAFE_INTEGER : FIRST_POSITION);
  const to = tokenParam(ctx.query, "to");
  const recurse = boolParam(ctx.query, "recurse");
  // Our extension (client-event-text.ts): the events without room_id and unsigned, no bundles.
  const lean = boolParam(ctx.query, LEAN_EVENTS_PARAM) === true;
  // The parent must exist and be visible to the user, else 404 (spec).
  const room = await s.stores.rooms.getRoom(roomId);
  const parent = await s.stores.events.getEvent(parentId);
  const visibility = new RoomVisibility(s, roomId, me.userId);
  if (!room || !parent || roomIdOfRow(parent) !== roomId || !(await visibility.canSee(parent))) throw notFound();
  const version = versionOrThrow(room.version);
  const depth = recurse ? RECURSION_DEPTH : 1;
  const range = streamRange(from, to, backwards);
  /** The tree's (or the direct relations') positions in (after, before], at most n, in scan order. */
  const relationIds = async (after: number, before: number, n: number): Promise<TreeRow[]> => {
    const filters = { roomId, ...(relType ? { relType } : {}), ...(eventType ? { eventType } : {}), after, before, limit: n, backwards };
    if (depth === 1) return relatedEventIds(s.db, { ...filters, parentIds: [parentId] });
    const key = JSON.stringify([roomId, parentId, depth, relType ?? null, eventType ?? null]);
    return await trees.window(key, { after, before, n, backwards }, {
      maxStream: () => s.stores.events.maxStream(),
      roomBounds: () => roomStreamBounds(s.db, roomId),
      walk: (upTo, limit) => relationTreeIds(s.db, { ...filters, parentId, depth, after: FIRST_POSITION - 1, before: upTo, limit, backwards: false }),
    }) ?? await relationTreeIds(s.db, { ...filters, parentId, depth });
  };
  // next_batch first (members keep this order): a client streaming the body can ask for the next
  // page from its first bytes, while the rest of this one arrives and is parsed (our web client,
  // client/src/core/widgets/raw-relations.ts); the chunk last, after a lean page's summary
  // (relations-kinds.ts), so that client reads every other member without parsing the events.
  // JSON readers do not care about the order.
  const head = (next: string | undefined): Record<string, string> => ({
    ...(next === undefined ? {} : { next_batch: JSON.stringify(next) }),
    ...(fromRaw ? { prev_batch: JSON.stringify(fromRaw) } : {}),
    ...(recurse === undefined ? {} : { recursion_depth: JSON.stringify(depth) }),
  });
  if (lean) {
    const source = leanSourceOf(s.db, s.stores.events);
    await leanCache.check(source);
    const page = await scanVisible<LeanEvent>({
      ...range, backwards, limit,
      fetch: async (after, before, n) => leanCache.events(await relationIds(after, before, n), version, source),
      accept: async (e) => {
        const verdict = await visibility.canSeeMeta(e.meta);
        if (verdict !== "special") return verdict;
        const row = await s.stores.events.getEvent(e.eventId);
        return row !== undefined && (await visibility.canSee(row));
      },
    });
    return leanPageResult(head(page.next), page.rows);
  }
  const page = await scanVisible({
    ...range, backwards, limit,
    fetch: async (after, before, n) => {
      const ids = await relationIds(after, before, n);
      const loaded = await s.stores.events.eventsAtStreams(ids.map((r) => r.stream));
      // the position must still hold that event (a cached tree may be older than a deletion)
      return ids.map((r) => loaded.get(r.stream)).filter((row, i): row is StoredEventRow => row !== undefined && row.event.eventId === ids[i]?.eventId);
    },
    accept: (row) => visibility.canSee(row),
  });
  const sctx = { userId: me.userId, deviceId: me.deviceId, version, visibility };
  return jsonTextResult({ ...head(page.next), chunk: await serializeRoomEventsText(s, sctx, page.rows) });
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
