// POST /join/{roomIdOrAlias}, /rooms/{roomId}/{invite,leave,kick,ban,unban,join,forget}, /knock/{roomIdOrAlias}
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { bodyObject, optString, reqString } from "../json.ts";
import { changeMembership, type MembershipAction } from "../../rooms/membership.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { parseUserId, serverNameOf } from "../../../spec/ids.ts";

async function resolveRoom(s: ServerContext, idOrAlias: string): Promise<string> {
  if (idOrAlias.startsWith("!")) return idOrAlias;
  if (idOrAlias.startsWith("#")) {
    const a = await s.stores.rooms.getAlias(idOrAlias);
    if (!a) throw new MatrixError("M_NOT_FOUND", 404, `Room alias ${idOrAlias} not found`);
    return a.roomId;
  }
  throw new MatrixError("M_INVALID_PARAM", 400, `${idOrAlias} is neither a room id nor an alias`);
}

const deps = (s: ServerContext): { localEvents: ServerContext["localEvents"]; rooms: ServerContext["stores"]["rooms"]; users: ServerContext["stores"]["users"] } =>
  ({ localEvents: s.localEvents, rooms: s.stores.rooms, users: s.stores.users });

export const joinHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = await resolveRoom(s, ctx.params["roomIdOrAlias"] ?? ctx.params["roomId"] ?? "");
  const reason = optString(bodyObject(ctx.body), "reason");
  await changeMembership(deps(s), roomId, me.userId, "join", me.userId, reason);
  return { json: { room_id: roomId } };
};

export const membershipHandler = (s: ServerContext, action: MembershipAction): Handler => async (ctx: RequestContext) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const reason = optString(b, "reason");
  if (action === "leave" || action === "knock") {
    const roomId = action === "knock" ? await resolveRoom(s, ctx.params["roomIdOrAlias"] ?? "") : (ctx.params["roomId"] ?? "");
    if (action === "leave" && !(await s.stores.rooms.membership(roomId, me.userId))) throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
    await changeMembership(deps(s), roomId, me.userId, action, me.userId, reason);
    return { json: action === "knock" ? { room_id: roomId } : {} };
  }
  const target = reqString(b, "user_id", 255);
  if (!parseUserId(target)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid user id ${target}`);
  if (action === "invite" && serverNameOf(target) === s.serverName && !(await s.stores.users.getUser(target))) {
    throw new MatrixError("M_NOT_FOUND", 404, `Unknown user ${target}`);
  }
  await changeMembership(deps(s), ctx.params["roomId"] ?? "", me.userId, action, target, reason);
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
