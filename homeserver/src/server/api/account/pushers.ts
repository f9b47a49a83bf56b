// GET /pushers, POST /pushers/set
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-notifications (pushers API)
// HTTP pushers receive the user's notifications through their push gateway (server/push/).
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError, badJson } from "../../../spec/matrix-error.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { bodyObject, optBool, optObject, optString } from "../json.ts";

export const listPushersHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  return { json: { pushers: (await s.stores.users.listPushers(me.userId)).map((p) => p.pusher) } };
};

function required(b: JsonObject, key: string, maxLen: number): string {
  const v = optString(b, key, maxLen);
  if (v === undefined) throw new MatrixError("M_MISSING_PARAM", 400, `Missing '${key}'`);
  return v;
}

/** The stored pusher: the spec's Pusher object, with only the keys the client may set. */
function pusherObject(b: JsonObject, kind: string, appId: string, pushkey: string): Record<string, unknown> {
  const data = optObject(b, "data");
  if (data === undefined) throw new MatrixError("M_MISSING_PARAM", 400, "Missing 'data'");
  if (kind === "http") {
    const url = data["url"];
    if (typeof url !== "string") throw new MatrixError("M_MISSING_PARAM", 400, "'data.url' is required for http pushers");
    if (!/^https?:\/\/[^/]+\/_matrix\/push\/v1\/notify$/.test(url)) throw new MatrixError("M_INVALID_PARAM", 400, "'data.url' must be a push gateway /_matrix/push/v1/notify URL");
  }
  if (data["format"] !== undefined && data["format"] !== "event_id_only") throw badJson("'data.format' must be event_id_only");
  const out: Record<string, unknown> = {
    pushkey, kind, app_id: appId,
    app_display_name: required(b, "app_display_name", 255), device_display_name: required(b, "device_display_name", 255),
    lang: required(b, "lang", 32), data,
  };
  const tag = optString(b, "profile_tag", 255);
  if (tag !== undefined) out["profile_tag"] = tag;
  return out;
}

export const setPusherHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const pushkey = required(b, "pushkey", 512);
  const appId = required(b, "app_id", 64);
  if (!("kind" in b)) throw new MatrixError("M_MISSING_PARAM", 400, "Missing 'kind'");
  const kind = b["kind"];
  if (kind === null) {
    await s.stores.users.deletePusher(me.userId, appId, pushkey);
    await s.push.pusherRemoved(me.userId, appId, pushkey);
    return { json: {} };
  }
  if (typeof kind !== "string") throw badJson("'kind' must be a string or null");
  if (kind !== "http") throw new MatrixError("M_INVALID_PARAM", 400, `Unsupported pusher kind '${kind}'`);
  const append = optBool(b, "append") ?? false;
  const pusher = pusherObject(b, kind, appId, pushkey);
  await s.stores.users.upsertPusher({ userId: me.userId, appId, pushkey, deviceId: me.deviceId, pusher }, append, s.clock.now());
  return { json: {} };
};
