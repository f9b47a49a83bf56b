// POST /_matrix/client/v3/createRoom
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { bodyObject, optBool, optObject, optString, optStringArray } from "../json.ts";
import { createRoom, type CreateRoomRequest } from "../../rooms/create-room.ts";
import { changeMembership } from "../../rooms/membership.ts";
import { membershipDeps } from "./membership.ts";
import { localProfileContent } from "../../rooms/member-content.ts";
import type { NewEvent } from "../../rooms/local-events.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { parseUserId } from "../../../spec/ids.ts";
import type { JsonObject } from "../../../room/pdu.ts";

export const createRoomHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  if (s.appservices.isRateLimited(me)) s.rateLimiter.take("send", me.userId, s.config.rateLimits.send);
  const b = bodyObject(ctx.body);
  const visibility = optString(b, "visibility") ?? "private";
  if (visibility !== "public" && visibility !== "private") throw new MatrixError("M_BAD_JSON", 400, "'visibility' must be public or private");
  const preset = optString(b, "preset") ?? (visibility === "public" ? "public_chat" : "private_chat");
  if (preset !== "public_chat" && preset !== "private_chat" && preset !== "trusted_private_chat") throw new MatrixError("M_BAD_JSON", 400, `Unknown preset ${preset}`);
  const invite = optStringArray(b, "invite") ?? [];
  for (const u of invite) if (!parseUserId(u)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid user id in invite: ${u}`);
  const aliasLocalpart = optString(b, "room_alias_name", 255);
  if (aliasLocalpart !== undefined && !/^[^:\s#]+$/.test(aliasLocalpart)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid room_alias_name");
  if (aliasLocalpart !== undefined) s.appservices.checkAliasCreation(me, `#${aliasLocalpart}:${s.serverName}`);
  const req: CreateRoomRequest = {
    creator: me.userId, creatorProfile: await localProfileContent(s.stores.users, s.serverName, me.userId), serverName: s.serverName,
    roomVersion: optString(b, "room_version", 32) ?? s.config.rooms.defaultVersion,
    preset, visibility, invite: [...new Set(invite)].filter((u) => u !== me.userId), isDirect: optBool(b, "is_direct") ?? false,
    creationContent: stripCreation(optObject(b, "creation_content") ?? {}), initialState: initialState(b["initial_state"]),
    encryptionByDefault: s.config.rooms.encryptionByDefault,
  };
  const name = optString(b, "name", 255);
  const topic = optString(b, "topic");
  const pl = optObject(b, "power_level_content_override");
  if (name !== undefined) req.name = name;
  if (topic !== undefined) req.topic = topic;
  if (aliasLocalpart !== undefined) req.aliasLocalpart = aliasLocalpart;
  if (pl !== undefined) req.powerLevelOverride = pl;
  const roomId = await createRoom({
    localEvents: s.localEvents, rooms: s.stores.rooms,
    invite: (room, inviter, invitee, extra) => changeMembership(membershipDeps(s), room, inviter, "invite", invitee, undefined, [], extra),
  }, req);
  return { json: { room_id: roomId } };
};

function stripCreation(c: JsonObject): JsonObject {
  const { room_version: _v, creator: _c, ...rest } = c;
  return rest;
}

function initialState(raw: unknown): NewEvent[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new MatrixError("M_BAD_JSON", 400, "'initial_state' must be an array");
  return raw.map((e, i): NewEvent => {
    if (!e || typeof e !== "object" || Array.isArray(e)) throw new MatrixError("M_BAD_JSON", 400, `initial_state[${i}] must be an object`);
    const o = e as JsonObject;
    const type = o["type"];
    const content = o["content"];
    const stateKey = o["state_key"] ?? "";
    if (typeof type !== "string" || typeof stateKey !== "string" || !content || typeof content !== "object" || Array.isArray(content)) {
      throw new MatrixError("M_BAD_JSON", 400, `initial_state[${i}] needs a string type, string state_key and object content`);
    }
    if (type === "m.room.create" || type === "m.room.member") throw new MatrixError("M_BAD_JSON", 400, `initial_state may not contain ${type}`);
    return { type, stateKey, content };
  });
}
