// GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidtimestamp_to_event
// Uses the (room_id, origin_server_ts) index; only events the user may see are answered.
import { MatrixError } from "../../../spec/matrix-error.ts";
import { eventsNearTimestamp } from "../../../storage/event-queries.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import { RoomVisibility, requireRoomAccess } from "../../rooms/visibility.ts";
import { dirParam, roomIdParam } from "./params.ts";

const BATCH = 50;
const MAX_CANDIDATES = 1000;

function tsParam(q: URLSearchParams): number {
  const raw = q.get("ts");
  if (raw === null || raw === "") throw new MatrixError("M_MISSING_PARAM", 400, "Missing 'ts' parameter");
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new MatrixError("M_INVALID_PARAM", 400, "'ts' must be a non-negative integer");
  return Number(raw);
}

export const timestampToEventHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const ts = tsParam(ctx.query);
  const forwards = dirParam(ctx.query) === "f";
  await requireRoomAccess(s, me.userId, roomId, { allowFormerMembers: true });
  const visibility = new RoomVisibility(s, roomId, me.userId);
  for (let skip = 0; skip < MAX_CANDIDATES; skip += BATCH) {
    const ids = await eventsNearTimestamp(s.db, roomId, ts, forwards, skip, BATCH);
    const loaded = await s.stores.events.getEvents(ids);
    for (const id of ids) {
      const row = loaded.get(id);
      if (row && (await visibility.canSee(row))) return { json: { event_id: id, origin_server_ts: row.event.pdu.origin_server_ts } };
    }
    if (ids.length < BATCH) break;
  }
  throw new MatrixError("M_NOT_FOUND", 404, `Unable to find event from ${ts} in ${forwards ? "forward" : "backward"} direction`);
};
