// POST /join/{roomIdOrAlias}, /rooms/{roomId}/{invite,leave,kick,ban,unban,join,forget}, /knock/{roomIdOrAlias}
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { bodyObject, optString, reqString } from "../json.ts";
import { changeMembership, type MembershipAction, type MembershipDeps } from "../../rooms/membership.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { isValidServerName, parseUserId, serverNameOf } from "../../../spec/ids.ts";

/** A room id, or an alias resolved here or by the alias's own server (with servers to join through). */
async function resolveRoomAndServers(s: ServerContext, idOrAlias: string): Promise<{ roomId: string; servers: string[] }> {
  if (idOrAlias.startsWith("!")) return { roomId: idOrAlias, servers: [] };
  const aliasServer = idOrAlias.startsWith("#") ? serverNameOf(idOrAlias) : undefined;
  if (aliasServer && aliasServer !== s.serverName && s.federation) {
    const res = await s.federation.client.request<{ room_id?: unknown; servers?: unknown }>(aliasServer, "GET",
      `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(idOrAlias)}`).catch(() => undefined);
    if (typeof res?.room_id !== "string") throw new MatrixError("M_NOT_FOUND", 404, `Room alias ${idOrAlias} not found`);
    const servers = Array.isArray(res.servers) ? res.servers.filter((x): x is string => typeof x === "string") : [];
    return { roomId: res.room_id, servers: [aliasServer, ...servers] };
  }
  return { roomId: await resolveLocalAlias(s, idOrAlias), servers: [] };
}

async function resolveLocalAlias(s: ServerContext, idOrAlias: string): Promise<string> {
  if (idOrAlias.startsWith("#")) {
    // An unknown alias of an appservice's namespace: the appservice may create it on the spot.
    const a = (await s.stores.rooms.getAlias(idOrAlias)) ?? ((await s.appservices.queryAlias(idOrAlias)) ? await s.stores.rooms.getAlias(idOrAlias) : undefined);
    if (!a) throw new MatrixError("M_NOT_FOUND", 404, `Room alias ${idOrAlias} not found`);
    return a.roomId;
  }
  throw new MatrixError("M_INVALID_PARAM", 400, `${idOrAlias} is neither a room id nor an alias`);
}

export const membershipDeps = (s: ServerContext): MembershipDeps =>
  ({ localEvents: s.localEvents, rooms: s.stores.rooms, users: s.stores.users, events: s.stores.events, serverName: s.serverName, federation: s.federation });

/** `via` (and the older `server_name`) query parameters: servers to join through. */
function viaServers(ctx: RequestContext): string[] {
  return [...ctx.query.getAll("via"), ...ctx.query.getAll("server_name")].filter((v) => isValidServerName(v));
}

export const joinHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const reason = optString(bodyObject(ctx.body), "reason");
  const { roomId, servers } = await resolveRoomAndServers(s, ctx.params["roomIdOrAlias"] ?? ctx.params["roomId"] ?? "");
  await changeMembership(membershipDeps(s), roomId, me.userId, "join", me.userId, reason, [...viaServers(ctx), ...servers]);
  return { json: { room_id: roomId } };
};

export const membershipHandler = (s: ServerContext, action: MembershipAction): Handler => async (ctx: RequestContext) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const reason = optString(b, "reason");
  if (action === "leave" || action === "knock") {
    const target = action === "knock" ? await resolveRoomAndServers(s, ctx.params["roomIdOrAlias"] ?? "") : { roomId: ctx.params["roomId"] ?? "", servers: [] };
    const roomId = target.roomId;
    if (action === "leave" && !(await s.stores.rooms.membership(roomId, me.userId))) throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
    await changeMembership(membershipDeps(s), roomId, me.userId, action, me.userId, reason, [...viaServers(ctx), ...target.servers]);
    return { json: action === "knock" ? { room_id: roomId } : {} };
  }
  const target = reqString(b, "user_id", 255);
  if (!parseUserId(target)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid user id ${target}`);
  if (action === "invite" && serverNameOf(target) === s.serverName && !(await s.stores.users.getUser(target))) {
    // An appservice may create a user of its namespace when asked (spec: GET /_matrix/app/v1/users).
    if (!(await s.appservices.queryUser(target)) || !(await s.stores.users.getUser(target))) throw new MatrixError("M_NOT_FOUND", 404, `Unknown user ${target}`);
  }
  await changeMembership(membershipDeps(s), ctx.params["roomId"] ?? "", me.userId, action, target, reason);
  return { json: {} };
};

export const forgetHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  bodyObject(ctx.body);
  const roomId = ctx.params["roomId"] ?? "";
  const m = await s.stores.rooms.membership(roomId, me.userId);
  if (m === undefined) throw new MatrixError("M_NOT_FOUND", 404, "You have never been in this room");
  if (m === "join" || m === "invite" || m === "knock") throw new MatrixError("M_UNKNOWN", 400, "Leave the room before forgetting it");
  await s.db.run("INSERT INTO room_forgotten (user_id, room_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [me.userId, roomId]);
  return { json: {} };
};
