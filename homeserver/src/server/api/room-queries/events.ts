// GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}, GET /_matrix/client/v3/joined_rooms,
// POST /_matrix/client/v3/rooms/{roomId}/report/{eventId}, POST /_matrix/client/v3/rooms/{roomId}/report
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomideventeventid
//       https://spec.matrix.org/v1.16/client-server-api/#reporting-content
import { MatrixError } from "../../../spec/matrix-error.ts";
import { insertReport } from "../../../storage/event-queries.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import { serializeRoomEvents } from "../../rooms/bundled-aggregations.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";
import { RoomVisibility, roomIdOfRow } from "../../rooms/visibility.ts";
import { bodyObject, optInt, optString, reqString } from "../json.ts";
import { eventIdParam, notFound, roomIdParam } from "./params.ts";

/** 404 both when the event is unknown and when the user may not see it (spec). */
export const getEventHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const eventId = eventIdParam(ctx);
  const row = await s.stores.events.getEvent(eventId);
  const room = await s.stores.rooms.getRoom(roomId);
  if (!row || !room || roomIdOfRow(row) !== roomId) throw notFound();
  const visibility = new RoomVisibility(s, roomId, me.userId);
  if (!(await visibility.canSee(row))) throw notFound();
  const [event] = await serializeRoomEvents(s, { userId: me.userId, deviceId: me.deviceId, version: versionOrThrow(room.version), visibility }, [row]);
  return { json: event };
};

export const joinedRoomsHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const rooms = await s.stores.rooms.roomsForUser(me.userId);
  return { json: { joined_rooms: rooms.filter((r) => r.membership === "join").map((r) => r.roomId) } };
};

/** Reporting an event requires being joined; every failure looks the same (404), per spec. */
export const reportEventHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const eventId = eventIdParam(ctx);
  const body = bodyObject(ctx.body);
  const reason = optString(body, "reason", 10_000);
  const score = optInt(body, "score");
  if (score !== undefined && (score < -100 || score > 0)) throw new MatrixError("M_INVALID_PARAM", 400, "'score' must be between -100 and 0");
  const gone = notFound("The event was not found or you are not joined to the room.");
  if ((await s.stores.rooms.membership(roomId, me.userId)) !== "join") throw gone;
  const row = await s.stores.events.getEvent(eventId);
  // an ignored user's events stay reportable: reporting and then ignoring is the usual order
  if (!row || roomIdOfRow(row) !== roomId || !(await new RoomVisibility(s, roomId, me.userId, { ignoring: false }).canSee(row))) throw gone;
  await insertReport(s.db, { userId: me.userId, roomId, eventId, reason, score, ts: s.clock.now() });
  s.log.info("event reported", { room_id: roomId, event_id: eventId, reporter: me.userId });
  return { json: {} };
};

/** Reporting a room does not require membership (spec v1.13); unknown rooms are 404. */
export const reportRoomHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const reason = reqString(bodyObject(ctx.body), "reason", 10_000);
  if (!(await s.stores.rooms.getRoom(roomId))) throw notFound("The room was not found.");
  await insertReport(s.db, { userId: me.userId, roomId, eventId: undefined, reason, score: undefined, ts: s.clock.now() });
  s.log.info("room reported", { room_id: roomId, reporter: me.userId });
  return { json: {} };
};
