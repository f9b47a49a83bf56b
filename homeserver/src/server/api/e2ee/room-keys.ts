// POST /room_keys/version, GET /room_keys/version, GET|PUT|DELETE /room_keys/version/{version},
// GET|PUT|DELETE /room_keys/keys[/{roomId}[/{sessionId}]]?version=
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-side-key-backups
import type { Handler } from "../../http/router.ts";
import type { RequestContext } from "../../http/request-context.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError, badJson, notFound } from "../../../spec/matrix-error.ts";
import { parseRoomId } from "../../../spec/ids.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import type { RoomKeyRow, RoomKeyScope } from "../../../storage/e2ee-backup-store.ts";
import { bodyObject } from "../json.ts";
import { checkIdentifier, param } from "../account/common.ts";
import { parseRoomKeyData, roomKeyJson } from "../../e2ee/key-backup.ts";

/** Which keys a /room_keys/keys route addresses. */
export type KeysLevel = "all" | "room" | "session";

const MAX_KEYS_PER_REQUEST = 10_000;

export const createVersionHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  return { json: { version: await s.e2ee.backup.createVersion(me.userId, bodyObject(ctx.body)) } };
};

export const getVersionHandler = (s: ServerContext, current: boolean): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  return { json: await s.e2ee.backup.versionInfo(me.userId, current ? undefined : param(ctx, "version")) };
};

export const putVersionHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  await s.e2ee.backup.updateVersion(me.userId, param(ctx, "version"), bodyObject(ctx.body));
  return { json: {} };
};

export const deleteVersionHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  await s.e2ee.backup.deleteVersion(me.userId, param(ctx, "version"));
  return { json: {} };
};

function versionQuery(ctx: RequestContext): string {
  const v = ctx.query.get("version");
  if (v === null || v === "") throw new MatrixError("M_MISSING_PARAM", 400, "Missing 'version' query parameter");
  return v;
}

function scopeOf(ctx: RequestContext, level: KeysLevel): RoomKeyScope {
  if (level === "all") return {};
  const roomId = param(ctx, "roomId");
  if (!parseRoomId(roomId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${roomId}'`);
  return level === "room" ? { roomId } : { roomId, sessionId: checkIdentifier(param(ctx, "sessionId"), "session id") };
}

function obj(v: unknown, where: string): JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badJson(`'${where}' must be an object`);
  return v as JsonObject;
}

function sessionsOf(raw: unknown, roomId: string, where: string, out: RoomKeyRow[]): void {
  for (const [sessionId, data] of Object.entries(obj(raw, where))) {
    if (out.length >= MAX_KEYS_PER_REQUEST) throw badJson(`Too many keys (at most ${MAX_KEYS_PER_REQUEST} a request)`);
    out.push({ roomId, sessionId, ...parseRoomKeyData(data, `${where}.${sessionId}`) });
  }
}

/** The keys a PUT body holds, shaped by the route's level. */
function keysOfBody(body: JsonObject, scope: RoomKeyScope): RoomKeyRow[] {
  const out: RoomKeyRow[] = [];
  if (scope.roomId !== undefined && scope.sessionId !== undefined) {
    out.push({ roomId: scope.roomId, sessionId: scope.sessionId, ...parseRoomKeyData(body, "body") });
  } else if (scope.roomId !== undefined) {
    sessionsOf(body["sessions"], scope.roomId, "sessions", out);
  } else {
    for (const [roomId, room] of Object.entries(obj(body["rooms"], "rooms"))) {
      if (!parseRoomId(roomId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${roomId}' in 'rooms'`);
      sessionsOf(obj(room, `rooms.${roomId}`)["sessions"], roomId, `rooms.${roomId}.sessions`, out);
    }
  }
  return out;
}

export const putKeysHandler = (s: ServerContext, level: KeysLevel): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const version = versionQuery(ctx);
  const keys = keysOfBody(bodyObject(ctx.body), scopeOf(ctx, level));
  return { json: await s.e2ee.backup.putKeys(me.userId, version, keys) };
};

export const getKeysHandler = (s: ServerContext, level: KeysLevel): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const scope = scopeOf(ctx, level);
  const rows = await s.e2ee.backup.getKeys(me.userId, versionQuery(ctx), scope);
  if (level === "session") {
    const [row] = rows;
    if (!row) throw notFound("No key for this session in the backup");
    return { json: roomKeyJson(row) };
  }
  const rooms: Record<string, { sessions: JsonObject }> = {};
  for (const r of rows) (rooms[r.roomId] ??= { sessions: {} }).sessions[r.sessionId] = roomKeyJson(r) as JsonObject;
  if (level === "room") return { json: { sessions: rooms[scope.roomId ?? ""]?.sessions ?? {} } };
  return { json: { rooms } };
};

export const deleteKeysHandler = (s: ServerContext, level: KeysLevel): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  return { json: await s.e2ee.backup.deleteKeys(me.userId, versionQuery(ctx), scopeOf(ctx, level)) };
};
