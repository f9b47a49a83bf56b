// POST /account/password, POST /account/deactivate
// Spec: https://spec.matrix.org/v1.16/client-server-api/#account-management
// Both need an access token here (the spec also allows proving the user by UIA alone, which only
// matters for e-mail based password reset, which we do not offer).
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { badJson } from "../../../spec/matrix-error.ts";
import { bodyObject, optBool, optString } from "../json.ts";
import { PASSWORD_FLOWS } from "../../users/uia.ts";
import { hashPassword } from "../../users/password-hash.ts";
import { checkPasswordPolicy } from "../../users/password-policy.ts";
import { requireUia, type AccountServices } from "./common.ts";
import { leaveAllRooms } from "../../rooms/membership.ts";
import { membershipDeps } from "../rooms/membership.ts";

export const changePasswordHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const newPassword = optString(b, "new_password", 1024);
  if (newPassword === undefined || newPassword === "") throw badJson("Missing 'new_password'");
  const logoutDevices = optBool(b, "logout_devices") ?? true;
  // Before UIA, so the user is not asked for their password only to be refused afterwards.
  checkPasswordPolicy(newPassword, s.config.passwords);
  await requireUia(svc, me, b, "POST /account/password", PASSWORD_FLOWS);
  await s.stores.users.setPasswordHash(me.userId, await hashPassword(newPassword));
  if (logoutDevices) {
    // "the user's other access tokens, and their associated devices, should be revoked"; the
    // requesting device stays logged in.
    for (const d of await s.stores.users.listDevices(me.userId)) {
      if (d.deviceId !== me.deviceId) await s.stores.users.deleteDevice(me.userId, d.deviceId);
    }
    await s.stores.users.deleteAllTokens(me.userId, me.deviceId);
    await s.e2ee.deviceChanged(me.userId);
  }
  ctx.log.info("password changed", { user_id: me.userId, logout_devices: logoutDevices });
  return { json: {} };
};

/**
 * Deactivation removes the password, every device and token, and the pushers; with `erase` also
 * the profile and account data; then the user leaves every room and rejects pending invites (as
 * Synapse does; remote rooms through federation).
 */
export const deactivateHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  optString(b, "id_server", 255);
  const erase = optBool(b, "erase") ?? false;
  await requireUia(svc, me, b, "POST /account/deactivate", PASSWORD_FLOWS);
  const users = s.stores.users;
  await users.setDeactivated(me.userId);
  await users.deleteAllDevices(me.userId);
  await s.e2ee.deviceChanged(me.userId);
  await users.deleteAllPushers(me.userId);
  if (erase) {
    await users.eraseProfile(me.userId);
    await s.stores.streams.deleteAllAccountData(me.userId);
  }
  const rooms = await leaveAllRooms(membershipDeps(s), me.userId, ctx.log);
  ctx.log.info("account deactivated", { user_id: me.userId, erase, rooms_left: rooms.left, rooms_failed: rooms.failed });
  // We bind no third-party identifiers, so there is nothing to unbind: "success".
  return { json: { id_server_unbind_result: "success" } };
};
