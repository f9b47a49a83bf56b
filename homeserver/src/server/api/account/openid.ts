// POST /user/{userId}/openid/request_token
// Spec: https://spec.matrix.org/v1.16/client-server-api/#openid
// Widgets hand this token to their backend, which checks it with
// GET /_matrix/federation/v1/openid/userinfo (UserStore.lookupOpenIdToken).
import { randomBytes } from "node:crypto";
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { bodyObject } from "../json.ts";
import { requireSelf, userIdParam } from "./common.ts";

const OPENID_TTL_S = 3600;

export const openIdTokenHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, "request OpenID tokens");
  bodyObject(ctx.body);
  const token = `ento_${randomBytes(24).toString("base64url")}`;
  const now = s.clock.now();
  await s.stores.users.addOpenIdToken(token, userId, now + OPENID_TTL_S * 1000, now);
  return { json: { access_token: token, token_type: "Bearer", matrix_server_name: s.serverName, expires_in: OPENID_TTL_S } };
};
