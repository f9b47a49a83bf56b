// GET /notifications: the events that notified the user (their recorded push actions), newest
// first; `from` is the next_token of a previous page, `only=highlight` keeps the mentions.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3notifications
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { JsonObject, JsonValue } from "../../../room/pdu.ts";
import { getRoomVersion } from "../../../room/room-versions.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { clientEvent } from "../../rooms/client-event.ts";
import { queryInt } from "../json.ts";
import { hiddenByIgnore, loadIgnoredUsers } from "../../users/ignored-users.ts";

export const notificationsHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const from = ctx.query.get("from");
  if (from !== null && from !== "" && !/^[0-9]{1,16}$/.test(from)) throw new MatrixError("M_INVALID_PARAM", 400, "'from' is not a token from this endpoint");
  const only = ctx.query.get("only");
  if (only !== null && only !== "" && only !== "highlight") throw new MatrixError("M_INVALID_PARAM", 400, "'only' may only be 'highlight'");
  const limit = queryInt(ctx.query, "limit", 20, 1, 100);
  // evaluated up to now, not into a write body still running (SQLite: see PushProcessor.runTo)
  await s.push.eventPersisted(await s.stores.events.settledMaxStream());
  const before = from ? Number(from) : Number.MAX_SAFE_INTEGER;
  const rows = await s.push.store.notifications(me.userId, { before, limit: limit + 1, onlyHighlight: only === "highlight" });
  const page = rows.slice(0, limit);
  const events = await s.stores.events.getEvents(page.map((r) => r.eventId));
  // notifications recorded before the sender was ignored are hidden too (a page may come out shorter)
  const ignored = await loadIgnoredUsers(s.stores.streams, me.userId);
  const readByRoom = new Map<string, Map<string, number>>();
  const notifications: JsonObject[] = [];
  const now = s.clock.now();
  for (const r of page) {
    const row = events.get(r.eventId);
    const version = getRoomVersion((await s.stores.rooms.getRoom(r.roomId))?.version ?? "");
    if (!row || !version || hiddenByIgnore(row.event.pdu, me.userId, ignored)) continue;
    let read = readByRoom.get(r.roomId);
    if (!read) readByRoom.set(r.roomId, (read = await s.push.store.readPositions(me.userId, r.roomId)));
    const readUpTo = Math.max(read.get("") ?? 0, read.get(r.threadId) ?? 0);
    notifications.push({
      actions: JSON.parse(r.actions) as JsonValue[], event: clientEvent(row, { now, version, withRoomId: true }),
      read: r.stream <= readUpTo, room_id: r.roomId, ts: r.ts,
    });
  }
  const last = page[page.length - 1];
  return { json: { notifications, ...(rows.length > limit && last ? { next_token: String(last.stream) } : {}) } };
};
