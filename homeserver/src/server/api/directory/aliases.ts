// PUT/GET/DELETE /_matrix/client/v3/directory/room/{roomAlias}, GET /_matrix/client/v3/rooms/{roomId}/aliases
// Spec: https://spec.matrix.org/v1.16/client-server-api/#room-aliases
import { MatrixError } from "../../../spec/matrix-error.ts";
import { parseRoomAlias, parseRoomId, serverNameOf } from "../../../spec/ids.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext, Requester } from "../../http/request-context.ts";
import type { Handler } from "../../http/router.ts";
import { requireRoomAccess } from "../../rooms/visibility.ts";
import { bodyObject, reqString } from "../json.ts";
import { canSendState, isServerAdmin } from "./room-permissions.ts";

/** The alias path parameter; 400 M_INVALID_PARAM unless it is `#localpart:server`. */
function aliasParam(ctx: RequestContext): { alias: string; serverName: string } {
  const alias = ctx.params["roomAlias"] ?? "";
  const parsed = parseRoomAlias(alias);
  if (!parsed || parsed.localpart === "") throw new MatrixError("M_INVALID_PARAM", 400, "Room alias invalid");
  return { alias, serverName: parsed.serverName };
}

/** Only aliases on our own server can be created or removed here (spec: aliases are server-scoped). */
function requireLocal(s: ServerContext, serverName: string): void {
  if (serverName !== s.serverName) throw new MatrixError("M_INVALID_PARAM", 400, "Room alias must be on this server");
}

/** Authentication is optional on this endpoint (spec: no security requirement on GET alias). */
export async function optionalAuth(s: ServerContext, ctx: RequestContext): Promise<Requester | undefined> {
  return ctx.accessToken === undefined ? undefined : s.auth.require(ctx);
}

export const putAliasHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const { alias, serverName } = aliasParam(ctx);
  requireLocal(s, serverName);
  s.appservices.checkAliasCreation(me, alias);
  const roomId = reqString(bodyObject(ctx.body), "room_id", 255);
  if (!parseRoomId(roomId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${roomId}'`);
  if (!(await s.stores.rooms.getRoom(roomId))) throw new MatrixError("M_NOT_FOUND", 404, `Unknown room ${roomId}`);
  if ((await s.stores.rooms.membership(roomId, me.userId)) !== "join" && !(await isServerAdmin(s, me.userId))) {
    throw new MatrixError("M_FORBIDDEN", 403, "You must be in the room to create an alias for it");
  }
  if (!(await s.stores.rooms.setAlias(alias, roomId, me.userId))) {
    throw new MatrixError("M_UNKNOWN", 409, `Room alias ${alias} already exists.`);
  }
  return { json: {} };
};

export const getAliasHandler = (s: ServerContext): Handler => async (ctx) => {
  await optionalAuth(s, ctx);
  const { alias, serverName } = aliasParam(ctx);
  // another server's alias: ask that server (spec: federation query/directory)
  if (serverName !== s.serverName && s.federation) return { json: await s.federation.queries.directory(alias) };
  // An unknown alias of an appservice's namespace: the appservice may create it when asked.
  const found = (await s.stores.rooms.getAlias(alias)) ?? ((await s.appservices.queryAlias(alias)) ? await s.stores.rooms.getAlias(alias) : undefined);
  if (!found) throw new MatrixError("M_NOT_FOUND", 404, `Room alias ${alias} not found.`);
  return { json: { room_id: found.roomId, servers: await residentServers(s, found.roomId) } };
};

/** Servers to join through: ours first, then the servers of the other joined members. */
async function residentServers(s: ServerContext, roomId: string): Promise<string[]> {
  const servers = new Set([s.serverName]);
  for (const m of await s.stores.rooms.members(roomId, "join")) {
    const server = serverNameOf(m.userId);
    if (server !== undefined) servers.add(server);
  }
  return [...servers];
}

/** The alias's creator, server admins, and room members allowed to change the canonical alias. */
export const deleteAliasHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const { alias, serverName } = aliasParam(ctx);
  requireLocal(s, serverName);
  const found = await s.stores.rooms.getAlias(alias);
  if (!found) throw new MatrixError("M_NOT_FOUND", 404, `Room alias ${alias} not found.`);
  const allowed = found.creator === me.userId || s.appservices.managesAlias(me, alias) || (await isServerAdmin(s, me.userId)) ||
    (await canSendState(s, found.roomId, me.userId, "m.room.canonical_alias"));
  if (!allowed) throw new MatrixError("M_FORBIDDEN", 403, "You may not delete this alias");
  await s.stores.rooms.deleteAlias(alias);
  return { json: {} };
};

export const roomAliasesHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = ctx.params["roomId"] ?? "";
  if (!parseRoomId(roomId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${roomId}'`);
  await requireRoomAccess(s, me.userId, roomId);
  return { json: { aliases: await s.stores.rooms.aliasesOf(roomId) } };
};
