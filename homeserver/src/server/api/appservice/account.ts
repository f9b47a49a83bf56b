// The m.login.application_service parts of POST /register and POST /login, and the M_EXCLUSIVE
// rule for everyone else. Called from api/account/register.ts and login.ts.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#server-admin-style-permissions
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import type { HandlerResult } from "../../http/router.ts";
import { MatrixError, forbidden } from "../../../spec/matrix-error.ts";
import { parseUserId } from "../../../spec/ids.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import type { AppserviceRegistration } from "../../appservice/registration.ts";
import { identifiedUser } from "../../users/credentials.ts";
import { newUserId, startSession } from "../../users/accounts.ts";
import { optBool, optString, reqString } from "../json.ts";

export const APPSERVICE_LOGIN_TYPE = "m.login.application_service";

/** The registration whose as_token the request carries; 401 like any bad access token otherwise. */
export function requireAppserviceToken(s: ServerContext, ctx: RequestContext): AppserviceRegistration {
  if (!ctx.accessToken) throw new MatrixError("M_MISSING_TOKEN", 401, "Missing application service token");
  const reg = s.appservices.byToken(ctx.accessToken);
  if (!reg) throw new MatrixError("M_UNKNOWN_TOKEN", 401, "Unknown application service token", { soft_logout: false });
  return reg;
}

/** Normal users may not create ids inside an appservice's exclusive namespace. */
export function requireNotExclusive(s: ServerContext, userId: string): void {
  if (s.appservices.exclusiveUserOwner(userId)) throw new MatrixError("M_EXCLUSIVE", 400, "This user id is reserved by an application service");
}

/** The user id asked for: a localpart, or a full user id of this server. Case is kept as given. */
function requestedUserId(s: ServerContext, username: string): string {
  if (!username.startsWith("@")) return newUserId(username, s.serverName);
  const parsed = parseUserId(username);
  if (!parsed || parsed.serverName !== s.serverName) throw new MatrixError("M_INVALID_USERNAME", 400, "Not a user id of this server");
  return newUserId(parsed.localpart, s.serverName);
}

/**
 * POST /register with `type: m.login.application_service`: no UIA, no password, allowed even when
 * open registration is off; the id must be in the appservice's users namespace and in no other
 * appservice's exclusive one.
 */
export async function appserviceRegister(s: ServerContext, ctx: RequestContext, b: JsonObject): Promise<HandlerResult> {
  const reg = requireAppserviceToken(s, ctx);
  const userId = requestedUserId(s, reqString(b, "username", 255));
  const deviceId = optString(b, "device_id", 255);
  const displayName = optString(b, "initial_device_display_name", 255);
  const inhibitLogin = optBool(b, "inhibit_login") ?? false;
  if (deviceId === "") throw new MatrixError("M_INVALID_PARAM", 400, "'device_id' may not be empty");
  const owner = s.appservices.exclusiveUserOwner(userId);
  if (!s.appservices.claimsUser(reg, userId) || (owner !== undefined && owner.id !== reg.id)) {
    throw new MatrixError("M_EXCLUSIVE", 400, "This user id is outside the application service's namespace");
  }
  if (!(await s.appservices.ensureUser(reg, userId))) throw new MatrixError("M_USER_IN_USE", 400, "User ID already taken");
  ctx.log.info("appservice registered user", { user_id: userId, appservice: reg.id });
  if (inhibitLogin) return { json: { user_id: userId, home_server: s.serverName } };
  const session = await startSession(s.stores.users, userId, { ...(deviceId !== undefined && { deviceId }), ...(displayName !== undefined && { displayName }), now: s.clock.now() });
  return { json: { user_id: userId, home_server: s.serverName, access_token: session.accessToken, device_id: session.deviceId } };
}

/**
 * POST /login with `type: m.login.application_service`: the user must be in the appservice's
 * namespace (else M_EXCLUSIVE) and already registered (else M_FORBIDDEN).
 * https://spec.matrix.org/v1.16/client-server-api/#appservice-login
 */
export async function appserviceLoginUser(s: ServerContext, ctx: RequestContext, b: JsonObject): Promise<string> {
  const reg = requireAppserviceToken(s, ctx);
  const userId = identifiedUser(b, s.serverName);
  if (!s.appservices.claimsUser(reg, userId)) throw new MatrixError("M_EXCLUSIVE", 403, "This user is outside the application service's namespace");
  const user = await s.stores.users.getUser(userId);
  if (!user) throw forbidden("This user has not been registered");
  if (user.deactivated) throw new MatrixError("M_USER_DEACTIVATED", 403, "This account has been deactivated");
  return userId;
}
