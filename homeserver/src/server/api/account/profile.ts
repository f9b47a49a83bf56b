// GET /profile/{userId}, GET|PUT|DELETE /profile/{userId}/{keyName}
// Spec: https://spec.matrix.org/v1.16/client-server-api/#profiles (extended profile fields, v1.16)
// displayname and avatar_url live in the users table, other fields (m.tz, custom ones) in
// profile_fields. A new displayname or avatar_url is sent into the user's m.room.member event of
// every joined room (rooms/member-profile.ts) before the reply. Remote profiles come from the
// federation profile query (federation/remote-queries.ts, cached 5 minutes); 404 without federation.
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { MatrixError, badJson, notFound } from "../../../spec/matrix-error.ts";
import { isValidServerName, serverNameOf } from "../../../spec/ids.ts";
import { bodyObject } from "../json.ts";
import { param, requireSelf, userIdParam } from "./common.ts";
import type { Logger } from "../../log.ts";
import { propagateProfile } from "../../rooms/member-profile.ts";

const KEY_PATTERN = /^(avatar_url|displayname|m\.tz|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/;
const MAX_PROFILE_BYTES = 64 * 1024;
const MAX_DISPLAYNAME = 256;

function keyParam(ctx: RequestContext): string {
  const key = param(ctx, "keyName");
  if (Buffer.byteLength(key, "utf8") > 255) throw new MatrixError("M_KEY_TOO_LARGE", 400, "Profile keys are limited to 255 bytes");
  if (!KEY_PATTERN.test(key)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid profile key '${key}'`);
  return key;
}

/** `mxc://<server-name>/<media-id>`: https://spec.matrix.org/v1.16/client-server-api/#matrix-content-mxc-uris */
export function isMxcUri(v: string): boolean {
  const m = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(v);
  return m !== null && isValidServerName(m[1] ?? "");
}

async function fullProfile(s: ServerContext, userId: string, field?: "displayname" | "avatar_url"): Promise<Record<string, unknown>> {
  if (serverNameOf(userId) !== s.serverName) {
    if (!s.federation) throw notFound("Profile not found");
    return s.federation.queries.profile(userId, field);
  }
  // An unknown user of an appservice's namespace: the appservice may create it when asked.
  const user = (await s.stores.users.getUser(userId)) ?? ((await s.appservices.queryUser(userId)) ? await s.stores.users.getUser(userId) : undefined);
  if (!user) throw notFound("Profile not found");
  const out: Record<string, unknown> = await s.stores.users.getProfileFields(userId);
  if (user.displayname !== undefined) out["displayname"] = user.displayname;
  if (user.avatarUrl !== undefined) out["avatar_url"] = user.avatarUrl;
  return out;
}

export const getProfileHandler = (s: ServerContext): Handler => async (ctx) => ({ json: await fullProfile(s, userIdParam(ctx)) });

/**
 * displayname and avatar_url have their own public routes (`fixedKey`); reading another single
 * field needs an access token, like every non-public route of our table (the spec lets it be
 * public; the whole profile, GET /profile/{userId}, stays public as the spec says).
 */
export const getProfileFieldHandler = (s: ServerContext, fixedKey?: "displayname" | "avatar_url"): Handler => async (ctx) => {
  if (fixedKey === undefined) await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  const key = fixedKey ?? keyParam(ctx);
  const profile = await fullProfile(s, userId, fixedKey);
  if (!(key in profile)) throw notFound(`No ${key} in this profile`);
  return { json: { [key]: profile[key] } };
};

/** Checks a new value; "" or null clears displayname and avatar_url as clients have long done. */
function checkValue(key: string, value: unknown): unknown {
  if (key === "displayname" || key === "avatar_url") {
    if (value === null) return undefined;
    if (typeof value !== "string") throw badJson(`'${key}' must be a string`);
    if (key === "displayname" && value.length > MAX_DISPLAYNAME) throw badJson(`'displayname' is longer than ${MAX_DISPLAYNAME} characters`);
    if (key === "avatar_url" && value !== "" && !isMxcUri(value)) throw new MatrixError("M_INVALID_PARAM", 400, "'avatar_url' must be an mxc:// URI");
    return value === "" ? undefined : value;
  }
  if (key === "m.tz" && typeof value !== "string") throw badJson("'m.tz' must be a string");
  return value;
}

export const putProfileFieldHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, "change the profile");
  const key = keyParam(ctx);
  const b = bodyObject(ctx.body);
  if (!(key in b)) throw new MatrixError("M_MISSING_PARAM", 400, `The body must contain '${key}'`);
  const value = checkValue(key, b[key]);
  const profile = await fullProfile(s, userId);
  if (value === undefined) delete profile[key];
  else profile[key] = value;
  if (Buffer.byteLength(JSON.stringify(profile), "utf8") > MAX_PROFILE_BYTES) {
    throw new MatrixError("M_PROFILE_TOO_LARGE", 400, "A profile is limited to 64 KiB");
  }
  await storeField(s, ctx.log, userId, key, value);
  return { json: {} };
};

export const deleteProfileFieldHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, "change the profile");
  await storeField(s, ctx.log, userId, keyParam(ctx), undefined);
  return { json: {} };
};

async function storeField(s: ServerContext, log: Logger, userId: string, key: string, value: unknown): Promise<void> {
  if (key === "displayname" || key === "avatar_url") {
    await s.stores.users.setProfile(userId, key, value as string | undefined);
    const user = await s.stores.users.getUser(userId);
    const profile = { displayname: user?.displayname, avatarUrl: user?.avatarUrl };
    const deps = { localEvents: s.localEvents, rooms: s.stores.rooms, events: s.stores.events, log };
    const { updated, failed } = await propagateProfile(deps, userId, profile);
    if (updated + failed > 0) log.info("profile propagated to rooms", { user_id: userId, field: key, updated, failed });
  } else if (value === undefined) {
    await s.stores.users.deleteProfileField(userId, key);
  } else {
    await s.stores.users.setProfileField(userId, key, value);
  }
}
