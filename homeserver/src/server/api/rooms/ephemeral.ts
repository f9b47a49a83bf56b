// PUT /rooms/{roomId}/typing/{userId}, POST /rooms/{roomId}/receipt/{receiptType}/{eventId},
// POST /rooms/{roomId}/read_markers
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { bodyObject, optBool, optInt, optString } from "../json.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";

async function requireJoined(s: ServerContext, roomId: string, userId: string): Promise<void> {
  if ((await s.stores.rooms.membership(roomId, userId)) !== "join") throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
}

export const typingHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  if (ctx.params["userId"] !== me.userId) throw new MatrixError("M_FORBIDDEN", 403, "You can only set your own typing state");
  const b = bodyObject(ctx.body);
  const typing = optBool(b, "typing");
  if (typing === undefined) throw new MatrixError("M_BAD_JSON", 400, "Missing 'typing'");
  const roomId = ctx.params["roomId"] ?? "";
  await requireJoined(s, roomId, me.userId);
  s.typing.set(roomId, me.userId, typing, optInt(b, "timeout") ?? 30_000);
  // local users only (remote typing arrives as EDUs and is not echoed back)
  await s.federation?.edus.typing(roomId, me.userId, typing);
  return { json: {} };
};

const RECEIPT_TYPES = new Set(["m.read", "m.read.private", "m.fully_read"]);

async function putReceipt(s: ServerContext, roomId: string, userId: string, type: string, eventId: string, threadId: string): Promise<void> {
  const ev = await s.stores.events.getEvent(eventId);
  if (!ev || (ev.event.pdu.room_id ?? "!" + ev.event.eventId.slice(1)) !== roomId) throw new MatrixError("M_NOT_FOUND", 404, "Unknown event");
  if (type === "m.fully_read") {
    await s.stores.streams.putAccountData(userId, roomId, "m.fully_read", { event_id: eventId });
  } else {
    const ts = s.clock.now();
    await s.stores.streams.putReceipt({ roomId, receiptType: type, userId, threadId, eventId, ts });
    // public receipts go to the other servers of the room; m.read.private never leaves us
    if (type === "m.read") await s.federation?.edus.readReceipt({ roomId, userId, eventId, ts, threadId });
    await s.push.receiptMoved(userId); // the phones' badge follows what was read
  }
  if (type === "m.read") {
    const members = await s.stores.rooms.members(roomId, "join");
    s.notifier.notifyUsers(members.map((m) => m.userId));
  } else s.notifier.notifyUsers([userId]);
}

export const receiptHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const type = ctx.params["receiptType"] ?? "";
  if (!RECEIPT_TYPES.has(type)) throw new MatrixError("M_INVALID_PARAM", 400, `Unknown receipt type ${type}`);
  const threadId = optString(bodyObject(ctx.body), "thread_id", 255) ?? "";
  const roomId = ctx.params["roomId"] ?? "";
  await requireJoined(s, roomId, me.userId);
  await putReceipt(s, roomId, me.userId, type, ctx.params["eventId"] ?? "", threadId === "main" ? "main" : threadId);
  return { json: {} };
};

export const readMarkersHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const roomId = ctx.params["roomId"] ?? "";
  await requireJoined(s, roomId, me.userId);
  for (const type of ["m.fully_read", "m.read", "m.read.private"]) {
    const eventId = optString(b, type, 255);
    if (eventId !== undefined) await putReceipt(s, roomId, me.userId, type, eventId, "");
  }
  return { json: {} };
};
