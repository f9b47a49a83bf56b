// Reading a room's DAG over federation: event, state, state_ids, event_auth, backfill,
// get_missing_events. Only for servers with a member in the room, and not denied by its ACL; the
// events named must be of that room (room-scope.ts).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#retrieving-events
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { Pdu, StateKey } from "../../../room/pdu.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { bodyObject, queryInt } from "../json.ts";
import { fed, requireServerInRoom, residentRoom } from "./common.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";
import { ServerVisibility } from "../../federation/server-visibility.ts";
import { refuseEventsOfOtherRooms, requireEventsInRoom, roomAuthChain, roomOfRow } from "./room-scope.ts";

export const getEvent = (s: ServerContext): Handler => async (ctx) => {
  const { origin } = await fed(s).authenticate(ctx);
  const row = await s.stores.events.getEvent(ctx.params["eventId"] ?? "");
  if (!row) throw new MatrixError("M_NOT_FOUND", 404, "Unknown event");
  const roomId = row.event.pdu.room_id ?? "!" + row.event.eventId.slice(1);
  await requireServerInRoom(s, roomId, origin);
  // auth and state events are needed whole to validate the DAG; other events follow history visibility
  const pdu = row.outlier || row.event.pdu.state_key !== undefined ? row.event.pdu : await (await visibilityFor(s, roomId, origin)).pduFor(row);
  return { json: { origin: s.serverName, origin_server_ts: s.clock.now(), pdus: [pdu] } };
};

async function visibilityFor(s: ServerContext, roomId: string, server: string): Promise<ServerVisibility> {
  const room = await s.stores.rooms.getRoom(roomId);
  return new ServerVisibility({ events: s.stores.events, server, version: versionOrThrow(room?.version ?? "12") });
}

/** The state before `event_id` (as Synapse and the spec's "state at the event"). */
async function stateAt(s: ServerContext, ctx: Parameters<Handler>[0]): Promise<{ state: ReadonlyMap<StateKey, string>; eventId: string; roomId: string }> {
  const { origin } = await fed(s).authenticate(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  const { version } = await residentRoom(s, roomId);
  await requireServerInRoom(s, roomId, origin);
  const eventId = ctx.query.get("event_id");
  if (!eventId) throw new MatrixError("M_MISSING_PARAM", 400, "Missing event_id");
  const row = (await requireEventsInRoom(s, roomId, [eventId])).get(eventId);
  if (!row || row.outlier) throw new MatrixError("M_NOT_FOUND", 404, "Unknown event");
  const before = await fed(s).input.stateBeforeFromPrevs(row.event, versionOrThrow(version.id));
  return { state: before?.state ?? new Map(), eventId, roomId };
}

export const getStateIds = (s: ServerContext): Handler => async (ctx) => {
  const { state, roomId } = await stateAt(s, ctx);
  const ids = [...state.values()];
  const chain = await roomAuthChain(s, roomId, ids);
  return { json: { pdu_ids: ids, auth_chain_ids: [...chain.keys()] } };
};

export const getState = (s: ServerContext): Handler => async (ctx) => {
  const { state, roomId } = await stateAt(s, ctx);
  const ids = [...state.values()];
  const chain = await roomAuthChain(s, roomId, ids);
  const rows = await s.stores.events.getEvents(ids);
  return { json: { pdus: ids.map((id) => rows.get(id)?.event.pdu).filter((p): p is Pdu => p !== undefined), auth_chain: [...chain.values()].map((r) => r.event.pdu) } };
};

export const getEventAuth = (s: ServerContext): Handler => async (ctx) => {
  const { origin } = await fed(s).authenticate(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  await requireServerInRoom(s, roomId, origin);
  const eventId = ctx.params["eventId"] ?? "";
  await requireEventsInRoom(s, roomId, [eventId]);
  const chain = await roomAuthChain(s, roomId, [eventId]);
  return { json: { auth_chain: [...chain.values()].map((r) => r.event.pdu) } };
};

/** Walks prev_events backwards from `v`, most recent first, up to `limit` events. */
async function walkBack(s: ServerContext, roomId: string, from: string[], limit: number, stopAt: Set<string>, minDepth: number, server: string): Promise<Pdu[]> {
  const visibility = await visibilityFor(s, roomId, server);
  const seen = new Set<string>(from);
  const out: Pdu[] = [];
  let frontier = [...from];
  while (frontier.length > 0 && out.length < limit) {
    const rows = await s.stores.events.getEvents(frontier);
    const next: string[] = [];
    for (const r of [...rows.values()].sort((a, b) => b.event.pdu.depth - a.event.pdu.depth)) {
      if (out.length >= limit) break;
      // roomOfRow: a v12 m.room.create has no room_id, and backfill must reach it
      if (roomOfRow(r) !== roomId || r.outlier || r.event.pdu.depth < minDepth) continue;
      out.push(r.event.pdu.state_key !== undefined ? r.event.pdu : await visibility.pduFor(r));
      for (const p of r.event.pdu.prev_events) if (!seen.has(p) && !stopAt.has(p)) {
        seen.add(p);
        next.push(p);
      }
    }
    frontier = next;
  }
  return out;
}

export const backfill = (s: ServerContext): Handler => async (ctx) => {
  const { origin } = await fed(s).authenticate(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  await residentRoom(s, roomId);
  await requireServerInRoom(s, roomId, origin);
  const v = ctx.query.getAll("v");
  if (v.length === 0) throw new MatrixError("M_MISSING_PARAM", 400, "Missing v");
  const limit = queryInt(ctx.query, "limit", 10, 1, 100);
  await requireEventsInRoom(s, roomId, v);
  const pdus = await walkBack(s, roomId, v, limit, new Set(), 0, origin);
  return { json: { origin: s.serverName, origin_server_ts: s.clock.now(), pdus } };
};

export const getMissingEvents = (s: ServerContext): Handler => async (ctx) => {
  const { origin } = await fed(s).authenticate(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  await residentRoom(s, roomId);
  await requireServerInRoom(s, roomId, origin);
  const b = bodyObject(ctx.body);
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const latest = strings(b["latest_events"]);
  const earliest = new Set(strings(b["earliest_events"]));
  const limit = Math.min(typeof b["limit"] === "number" ? b["limit"] : 10, 100);
  const minDepth = typeof b["min_depth"] === "number" ? b["min_depth"] : 0;
  await refuseEventsOfOtherRooms(s, roomId, [...earliest]);
  // the latest events themselves are not returned, only what precedes them
  const latestRows = await requireEventsInRoom(s, roomId, latest);
  const start = [...latestRows.values()].flatMap((r) => r.event.pdu.prev_events).filter((p) => !earliest.has(p));
  const pdus = await walkBack(s, roomId, [...new Set(start)], limit, earliest, minDepth, origin);
  return { json: { events: pdus.reverse() } };
};
