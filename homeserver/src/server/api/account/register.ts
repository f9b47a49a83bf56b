// POST /_matrix/client/v3/register, GET /_matrix/client/v3/register/available
// Spec: https://spec.matrix.org/v1.16/client-server-api/#account-registration
// Open registration uses one UIA stage, m.login.dummy. Registration by appservices (type
// m.login.application_service with an as_token) is in api/appservice/account.ts; ids inside an
// appservice's exclusive namespace are refused to everyone else with M_EXCLUSIVE.
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError, forbidden } from "../../../spec/matrix-error.ts";
import { bodyObject, optBool, optString } from "../json.ts";
import { DUMMY_FLOWS } from "../../users/uia.ts";
import { createAccount, generatedLocalpart, newUserId, startSession } from "../../users/accounts.ts";
import type { AccountServices } from "./common.ts";
import { checkPasswordPolicy } from "../../users/password-policy.ts";
import { APPSERVICE_LOGIN_TYPE, appserviceRegister, requireNotExclusive } from "../appservice/account.ts";

function checkRegistrationOpen(s: ServerContext): void {
  if (!s.config.registration.enabled) throw forbidden("Registration is disabled");
}

export const registerHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const kind = ctx.query.get("kind") ?? "user";
  if (kind !== "user" && kind !== "guest") throw new MatrixError("M_INVALID_PARAM", 400, "'kind' must be user or guest");
  const b = bodyObject(ctx.body);
  if (kind === "user" && b["type"] === APPSERVICE_LOGIN_TYPE) return appserviceRegister(s, ctx, b);
  s.rateLimiter.take("register", ctx.ip, s.config.rateLimits.register);
  checkRegistrationOpen(s);
  if (kind === "guest") throw forbidden("Guest access is disabled");
  const username = optString(b, "username", 255);
  const password = optString(b, "password", 1024);
  const deviceId = optString(b, "device_id", 255);
  const displayName = optString(b, "initial_device_display_name", 255);
  const inhibitLogin = optBool(b, "inhibit_login") ?? false;
  optBool(b, "refresh_token"); // validated only: we issue non-expiring access tokens
  if (deviceId === "") throw new MatrixError("M_INVALID_PARAM", 400, "'device_id' may not be empty");
  if (password !== undefined) checkPasswordPolicy(password, s.config.passwords);
  // Usernames are mapped to lower case, which the spec allows ("map ... in a logical manner").
  const userId = newUserId(username === undefined ? generatedLocalpart() : username.toLowerCase(), s.serverName);
  // The spec wants M_USER_IN_USE / M_INVALID_USERNAME / M_EXCLUSIVE before any UIA round trip.
  requireNotExclusive(s, userId);
  if (await s.stores.users.getUser(userId)) throw new MatrixError("M_USER_IN_USE", 400, "User ID already taken");
  await svc.uia.authenticate({ auth: b["auth"], flows: DUMMY_FLOWS, scope: "register" });
  const now = s.clock.now();
  await createAccount(s.stores, { userId, password, now });
  ctx.log.info("registered user", { user_id: userId });
  if (inhibitLogin) return { json: { user_id: userId, home_server: s.serverName } };
  const session = await startSession(s.stores.users, userId, { ...(deviceId !== undefined && { deviceId }), ...(displayName !== undefined && { displayName }), now });
  await s.e2ee.deviceChanged(userId);
  return { json: { user_id: userId, home_server: s.serverName, access_token: session.accessToken, device_id: session.deviceId } };
};

export const registerAvailableHandler = (s: ServerContext): Handler => async (ctx) => {
  s.rateLimiter.take("register_available", ctx.ip, s.config.rateLimits.register);
  checkRegistrationOpen(s);
  const username = ctx.query.get("username");
  if (username === null || username === "") throw new MatrixError("M_MISSING_PARAM", 400, "Missing 'username' query parameter");
  const userId = newUserId(username.toLowerCase(), s.serverName);
  if (await s.stores.users.getUser(userId)) throw new MatrixError("M_USER_IN_USE", 400, "User ID already taken");
  requireNotExclusive(s, userId);
  return { json: { available: true } };
};
