// GET /_matrix/federation/v1/query/directory, /query/profile, /openid/userinfo
// Spec: https://spec.matrix.org/v1.16/server-server-api/#query-types
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import { fed } from "./common.ts";
import { serversInRoom } from "../../federation/inbound/room-servers.ts";

export const queryDirectory = (s: ServerContext): Handler => async (ctx) => {
  await fed(s).authenticate(ctx);
  const alias = ctx.query.get("room_alias") ?? "";
  if (serverNameOf(alias) !== s.serverName) throw new MatrixError("M_NOT_FOUND", 404, "Alias not on this server");
  const found = await s.stores.rooms.getAlias(alias);
  if (!found) throw new MatrixError("M_NOT_FOUND", 404, `Room alias ${alias} not found`);
  const servers = [s.serverName, ...[...(await serversInRoom(s.stores.rooms, found.roomId))].filter((x) => x !== s.serverName)];
  return { json: { room_id: found.roomId, servers } };
};

export const queryProfile = (s: ServerContext): Handler => async (ctx) => {
  await fed(s).authenticate(ctx);
  const userId = ctx.query.get("user_id") ?? "";
  const field = ctx.query.get("field");
  if (serverNameOf(userId) !== s.serverName) throw new MatrixError("M_NOT_FOUND", 404, "User not on this server");
  const u = await s.stores.users.getUser(userId);
  if (!u || u.deactivated) throw new MatrixError("M_NOT_FOUND", 404, "Unknown user");
  const out: Record<string, string> = {};
  if (u.displayname && (!field || field === "displayname")) out["displayname"] = u.displayname;
  if (u.avatarUrl && (!field || field === "avatar_url")) out["avatar_url"] = u.avatarUrl;
  return { json: out };
};

/** Widgets verify an OpenID token with the user's homeserver. No X-Matrix auth: the token is the credential. */
export const openidUserinfo = (s: ServerContext): Handler => async (ctx) => {
  const token = ctx.query.get("access_token");
  if (!token) throw new MatrixError("M_MISSING_TOKEN", 401, "Missing access_token");
  const userId = await s.stores.users.lookupOpenIdToken(token, s.clock.now());
  if (!userId) throw new MatrixError("M_UNKNOWN_TOKEN", 401, "Unknown or expired OpenID token");
  return { json: { sub: userId } };
};
