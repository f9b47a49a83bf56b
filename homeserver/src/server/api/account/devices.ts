// GET /devices, GET /devices/{deviceId}, PUT /devices/{deviceId}, DELETE /devices/{deviceId},
// POST /delete_devices
// Spec: https://spec.matrix.org/v1.16/client-server-api/#device-management
// Deleting a device deletes its access tokens; s.e2ee.deviceChanged then drops its end-to-end
// keys and tells the users who share a room (device-list update).
// Appservices (v1.17, https://spec.matrix.org/v1.17/application-service-api/#device-management)
// create devices with PUT (201) and delete them without UIA (requireUia skips as_token requests).
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { badJson, notFound } from "../../../spec/matrix-error.ts";
import type { DeviceRow } from "../../../storage/user-store.ts";
import { bodyObject, optString, optStringArray } from "../json.ts";
import { PASSWORD_FLOWS } from "../../users/uia.ts";
import { checkIdentifier, param, requireUia, type AccountServices } from "./common.ts";
import { isAppserviceRequest } from "../../appservice/identity.ts";

function deviceJson(d: DeviceRow): Record<string, unknown> {
  const out: Record<string, unknown> = { device_id: d.deviceId };
  if (d.displayName !== undefined) out["display_name"] = d.displayName;
  if (d.lastSeenIp !== undefined) out["last_seen_ip"] = d.lastSeenIp;
  if (d.lastSeenTs !== undefined) out["last_seen_ts"] = d.lastSeenTs;
  return out;
}

export const listDevicesHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  return { json: { devices: (await s.stores.users.listDevices(me.userId)).map(deviceJson) } };
};

export const getDeviceHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const d = await s.stores.users.getDevice(me.userId, param(ctx, "deviceId"));
  if (!d) throw notFound("Unknown device");
  return { json: deviceJson(d) };
};

export const updateDeviceHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const name = optString(b, "display_name", 255);
  const deviceId = param(ctx, "deviceId");
  if (!(await s.stores.users.getDevice(me.userId, deviceId))) {
    if (!isAppserviceRequest(me)) throw notFound("Unknown device");
    await s.stores.users.upsertDevice(me.userId, checkIdentifier(deviceId, "device id"), name);
    await s.e2ee.deviceChanged(me.userId);
    return { status: 201, json: {} };
  }
  if (name !== undefined) await s.stores.users.renameDevice(me.userId, deviceId, name);
  return { json: {} };
};

/** Needs the password again; an unknown device is 404 before any UIA round trip. */
export const deleteDeviceHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const deviceId = param(ctx, "deviceId");
  if (!(await s.stores.users.getDevice(me.userId, deviceId))) throw notFound("Unknown device");
  await requireUia(svc, me, b, `DELETE /devices/${deviceId}`, PASSWORD_FLOWS);
  await s.stores.users.deleteDevice(me.userId, deviceId);
  await s.e2ee.deviceChanged(me.userId);
  return { json: {} };
};

/** Unknown ids in the list are ignored, as deleting them has already happened. */
export const deleteDevicesHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const ids = optStringArray(b, "devices");
  if (ids === undefined) throw badJson("Missing 'devices'");
  if (ids.length > 1000) throw badJson("Too many devices");
  await requireUia(svc, me, b, "POST /delete_devices", PASSWORD_FLOWS);
  for (const id of new Set(ids)) await s.stores.users.deleteDevice(me.userId, id);
  await s.e2ee.deviceChanged(me.userId);
  return { json: {} };
};
