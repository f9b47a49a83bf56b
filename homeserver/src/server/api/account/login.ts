// GET /login, POST /login, POST /_matrix/client/v1/login/get_token, POST /logout, POST /logout/all,
// GET /account/whoami
// Spec: https://spec.matrix.org/v1.16/client-server-api/#login
import { randomBytes } from "node:crypto";
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError, badJson, forbidden } from "../../../spec/matrix-error.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { bodyObject, optBool, optString, reqString } from "../json.ts";
import { BAD_CREDENTIALS, identifiedUser } from "../../users/credentials.ts";
import { startSession } from "../../users/accounts.ts";
import { PASSWORD_FLOWS } from "../../users/uia.ts";
import { requireUia, type AccountServices } from "./common.ts";
import { APPSERVICE_LOGIN_TYPE, appserviceLoginUser } from "../appservice/account.ts";
import { NO_DEVICE } from "../../appservice/identity.ts";
import type { RequestContext } from "../../http/request-context.ts";

const LOGIN_TOKEN_TTL_MS = 120_000;

export const loginFlowsHandler = (): Handler => async () => ({
  json: { flows: [{ type: "m.login.password" }, { type: "m.login.token", get_login_token: true }, { type: APPSERVICE_LOGIN_TYPE }] },
});

/** The user a /login request proves, or the error the spec asks for. */
async function authenticateLogin(s: ServerContext, ctx: RequestContext, b: JsonObject): Promise<string> {
  const type = reqString(b, "type", 255);
  if (type === APPSERVICE_LOGIN_TYPE) return appserviceLoginUser(s, ctx, b);
  if (type === "m.login.password") {
    const password = b["password"];
    if (typeof password !== "string") throw badJson("Missing 'password'");
    // 429 while the account is locked out after too many wrong passwords (users/password-attempts.ts).
    const result = await s.passwords.check(identifiedUser(b, s.serverName), password);
    if (result.ok) return result.userId;
    // Only told to someone who gave the right password, so a guess never learns the account state.
    if (result.reason === "deactivated") throw new MatrixError("M_USER_DEACTIVATED", 403, "This account has been deactivated");
    throw forbidden(BAD_CREDENTIALS);
  }
  if (type === "m.login.token") {
    const userId = await s.stores.users.consumeLoginToken(reqString(b, "token", 1024), s.clock.now());
    if (!userId) throw forbidden("Invalid or expired login token");
    const user = await s.stores.users.getUser(userId);
    if (!user || user.deactivated) throw new MatrixError("M_USER_DEACTIVATED", 403, "This account has been deactivated");
    return userId;
  }
  throw new MatrixError("M_UNKNOWN", 400, `Unsupported login type ${type}`);
}

export const loginHandler = (s: ServerContext): Handler => async (ctx) => {
  const b = bodyObject(ctx.body);
  // Appservices log their users in through their own token, not from a guessable IP.
  if (b["type"] !== APPSERVICE_LOGIN_TYPE) s.rateLimiter.take("login", ctx.ip, s.config.rateLimits.login);
  const deviceId = optString(b, "device_id", 255);
  const displayName = optString(b, "initial_device_display_name", 255);
  optBool(b, "refresh_token"); // validated only: we issue non-expiring access tokens
  if (deviceId === "") throw new MatrixError("M_INVALID_PARAM", 400, "'device_id' may not be empty");
  const userId = await authenticateLogin(s, ctx, b);
  const session = await startSession(s.stores.users, userId, {
    ...(deviceId !== undefined && { deviceId }), ...(displayName !== undefined && { displayName }), now: s.clock.now(),
  });
  await s.e2ee.deviceChanged(userId);
  ctx.log.info("login", { user_id: userId, device_id: session.deviceId });
  return { json: {
    user_id: userId, access_token: session.accessToken, device_id: session.deviceId, home_server: s.serverName,
    well_known: { "m.homeserver": { base_url: s.config.server.publicBaseUrl } },
  } };
};

/** Always re-prompts for the password: the spec wants explicit consent for each new client. */
export const getLoginTokenHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  await requireUia(svc, me, b, "POST /login/get_token", PASSWORD_FLOWS);
  // The spec encourages a strict limit here (about one a minute).
  s.rateLimiter.take("get_login_token", me.userId, { perSecond: 1 / 60, burst: 5 });
  const token = `entl_${randomBytes(24).toString("base64url")}`;
  await s.stores.users.addLoginToken(token, me.userId, s.clock.now() + LOGIN_TOKEN_TTL_MS);
  return { json: { login_token: token, expires_in_ms: LOGIN_TOKEN_TTL_MS } };
};

/** Logging out deletes the device too (spec: "The device associated with the access token is also deleted"). */
export const logoutHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  bodyObject(ctx.body);
  await s.stores.users.deleteDevice(me.userId, me.deviceId);
  await s.e2ee.deviceChanged(me.userId);
  return { json: {} };
};

export const logoutAllHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  bodyObject(ctx.body);
  await s.stores.users.deleteAllDevices(me.userId);
  await s.e2ee.deviceChanged(me.userId);
  return { json: {} };
};

export const whoamiHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  // An appservice acting without ?device_id= has no device: the spec lets device_id be omitted then.
  return { json: { user_id: me.userId, ...(me.deviceId !== NO_DEVICE && { device_id: me.deviceId }), is_guest: me.isGuest } };
};
