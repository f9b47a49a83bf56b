// PUT /rooms/{roomId}/send/{eventType}/{txnId}, PUT /rooms/{roomId}/state/{eventType}/{stateKey},
// PUT /rooms/{roomId}/redact/{eventId}/{txnId}
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { Requester } from "../../http/request-context.ts";
import { bodyObject, optString } from "../json.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { stateKeyOf } from "../../../room/pdu.ts";
import { versionOrThrow } from "../../rooms/local-events.ts";
import { userPowerLevel, parsePowerLevels } from "../../../room/auth/power-levels.ts";
import { parseEventId } from "../../../spec/ids.ts";
import { hasControlChar } from "../../../spec/control-chars.ts";
import type { EventTxn } from "../../../storage/event-store.ts";

function checkType(type: string): void {
  if (type.length === 0 || Buffer.byteLength(type) > 255) throw new MatrixError("M_INVALID_PARAM", 400, "Event type must be 1-255 bytes");
  if (hasControlChar(type)) throw new MatrixError("M_INVALID_PARAM", 400, "Event type must not contain control characters");
}
function checkTxn(txnId: string): void {
  if (txnId.length === 0 || txnId.length > 255) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid transaction id");
}

export const sendHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const type = ctx.params["eventType"] ?? "";
  const txnId = ctx.params["txnId"] ?? "";
  checkType(type);
  checkTxn(txnId);
  const content = bodyObject(ctx.body);
  if (s.appservices.isRateLimited(me)) s.rateLimiter.take("send", me.userId, s.config.rateLimits.send);
  const roomId = ctx.params["roomId"] ?? "";
  // a retransmission is the same device, path and txn id: the same id to another room or as another type is a new event
  const txn: EventTxn = { userId: me.userId, deviceId: me.deviceId, path: `/rooms/${roomId}/send/${type}`, txnId };
  if (type === "m.room.redaction") return redact(s, me, roomId, content["redacts"], content, txn);
  const p = await s.localEvents.send(roomId, me.userId, { type, content }, { txn });
  return { json: { event_id: p.event.eventId } };
};

export const putStateHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const type = ctx.params["eventType"] ?? "";
  checkType(type);
  const stateKey = ctx.params["stateKey"] ?? "";
  if (Buffer.byteLength(stateKey) > 255) throw new MatrixError("M_INVALID_PARAM", 400, "State key must be at most 255 bytes");
  if (hasControlChar(stateKey)) throw new MatrixError("M_INVALID_PARAM", 400, "State key must not contain control characters");
  const content = bodyObject(ctx.body);
  if (s.appservices.isRateLimited(me)) s.rateLimiter.take("send", me.userId, s.config.rateLimits.send);
  const roomId = ctx.params["roomId"] ?? "";
  if (type === "m.room.canonical_alias") await checkAliases(s, roomId, content);
  // an identical state event is not sent again (as Synapse does), so clients can PUT idempotently
  const room = await s.stores.rooms.getRoom(roomId);
  if (room?.currentStateGroup !== undefined) {
    const state = await s.stores.events.stateMapOfGroup(room.currentStateGroup);
    const id = state.get(stateKeyOf(type, stateKey));
    const cur = id ? await s.stores.events.getEvent(id) : undefined;
    if (cur && cur.event.pdu.sender === me.userId && JSON.stringify(cur.event.pdu.content) === JSON.stringify(content)) {
      return { json: { event_id: cur.event.eventId } };
    }
  }
  const p = await s.localEvents.send(roomId, me.userId, { type, content, stateKey });
  return { json: { event_id: p.event.eventId } };
};

export const redactHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const txnId = ctx.params["txnId"] ?? "";
  checkTxn(txnId);
  if (s.appservices.isRateLimited(me)) s.rateLimiter.take("send", me.userId, s.config.rateLimits.send);
  const body = bodyObject(ctx.body);
  const reason = optString(body, "reason");
  const content: JsonObject = reason === undefined ? {} : { reason };
  const roomId = ctx.params["roomId"] ?? "";
  const target = ctx.params["eventId"] ?? "";
  return redact(s, me, roomId, target, content, { userId: me.userId, deviceId: me.deviceId, path: `/rooms/${roomId}/redact/${target}`, txnId });
};

async function redact(s: ServerContext, me: Requester, roomId: string, target: unknown, content: JsonObject, txn: EventTxn): Promise<{ json: unknown }> {
  if (typeof target !== "string" || !parseEventId(target)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid event id to redact");
  const room = await s.stores.rooms.getRoom(roomId);
  if (!room) throw new MatrixError("M_NOT_FOUND", 404, "Unknown room");
  const version = versionOrThrow(room.version);
  const original = await s.stores.events.getEvent(target);
  if (!original || (original.event.pdu.room_id ?? "!" + original.event.eventId.slice(1)) !== roomId) throw new MatrixError("M_NOT_FOUND", 404, "Event not found");
  if (original.event.pdu.sender !== me.userId) {
    // Redacting someone else's event needs the "redact" power level (spec: redaction authorisation)
    const state = room.currentStateGroup === undefined ? new Map<string, string>() : await s.stores.events.stateMapOfGroup(room.currentStateGroup);
    const events = await s.stores.events.getEvents([state.get(stateKeyOf("m.room.power_levels", "")), state.get(stateKeyOf("m.room.create", ""))].filter((x): x is string => x !== undefined));
    const pl = events.get(state.get(stateKeyOf("m.room.power_levels", "")) ?? "")?.event;
    const create = events.get(state.get(stateKeyOf("m.room.create", "")) ?? "")?.event;
    const level = userPowerLevel(me.userId, pl, create, version);
    if (level < parsePowerLevels(pl?.pdu.content, version).redact) throw new MatrixError("M_FORBIDDEN", 403, "You may not redact other users' events");
  }
  const c: JsonObject = version.redactsInContent ? { ...content, redacts: target } : content;
  const p = await s.localEvents.send(roomId, me.userId, { type: "m.room.redaction", content: c, redacts: target }, { txn });
  return { json: { event_id: p.event.eventId } };
}

async function checkAliases(s: ServerContext, roomId: string, content: JsonObject): Promise<void> {
  const aliases = [content["alias"], ...(Array.isArray(content["alt_aliases"]) ? content["alt_aliases"] : [])].filter((a) => a !== undefined && a !== null);
  for (const a of aliases) {
    if (typeof a !== "string") throw new MatrixError("M_BAD_JSON", 400, "Aliases must be strings");
    const found = await s.stores.rooms.getAlias(a);
    if (a.endsWith(`:${s.serverName}`) && found?.roomId !== roomId) throw new MatrixError("M_BAD_ALIAS", 400, `Alias ${a} does not point to this room`);
  }
}
