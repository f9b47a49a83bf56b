// GET|PUT /user/{userId}/account_data/{type}, GET|PUT /user/{userId}/rooms/{roomId}/account_data/{type},
// GET /user/{userId}/rooms/{roomId}/tags, PUT|DELETE /user/{userId}/rooms/{roomId}/tags/{tag}
// Spec: https://spec.matrix.org/v1.16/client-server-api/#client-config and #room-tagging
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { MatrixError, badJson, notFound } from "../../../spec/matrix-error.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { bodyObject } from "../json.ts";
import { effectiveRuleset, pushRulesContent } from "../../users/push-ruleset.ts";
import { IGNORED_USER_LIST, validateIgnoredUserList } from "../../users/ignored-users.ts";
import { checkIdentifier, param, requireSelf, roomIdParam, userIdParam, type AccountServices } from "./common.ts";

/** Types the server manages: clients read them here but set them through their own APIs. */
const SERVER_MANAGED = new Set(["m.fully_read", "m.push_rules"]);

interface Target {
  userId: string;
  /** "" for global account data. */
  roomId: string;
}

/**
 * Room account data is for rooms this server knows, or where the user has a membership (an
 * invite from another server may precede any knowledge of the room); others are 404.
 */
async function knownRoom(s: ServerContext, ctx: RequestContext, userId: string): Promise<string> {
  const roomId = roomIdParam(ctx);
  if ((await s.stores.rooms.membership(roomId, userId)) === undefined && !(await s.stores.rooms.getRoom(roomId))) {
    throw notFound("Unknown room");
  }
  return roomId;
}

/** Checks in the order clients expect: token, own account, request body, then the room. */
async function target(s: ServerContext, ctx: RequestContext, perRoom: boolean, what: string, checkBody?: () => void): Promise<Target> {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, what);
  checkBody?.();
  return { userId, roomId: perRoom ? await knownRoom(s, ctx, userId) : "" };
}

const typeParam = (ctx: RequestContext): string => checkIdentifier(param(ctx, "type"), "account data type");

export const putAccountDataHandler = (s: ServerContext, perRoom: boolean): Handler => async (ctx) => {
  const t = await target(s, ctx, perRoom, "add account data", () => {
    if (typeof ctx.body !== "object" || ctx.body === null || Array.isArray(ctx.body)) throw badJson("Content must be a JSON object");
  });
  const type = typeParam(ctx);
  // Spec: servers reject these with 405 and M_BAD_JSON (https://spec.matrix.org/v1.16/client-server-api/#server-behaviour-13).
  if (SERVER_MANAGED.has(type)) throw new MatrixError("M_BAD_JSON", 405, `Cannot set ${type} through this API`);
  // the server acts on this list on every read, so it must have the spec's shape
  if (type === IGNORED_USER_LIST && t.roomId === "") validateIgnoredUserList(ctx.body);
  await s.stores.streams.putAccountData(t.userId, t.roomId, type, ctx.body);
  s.notifier.notifyUsers([t.userId]);
  return { json: {} };
};

export const getAccountDataHandler = (s: ServerContext, perRoom: boolean): Handler => async (ctx) => {
  const t = await target(s, ctx, perRoom, "read account data");
  const type = typeParam(ctx);
  const content = await s.stores.streams.getAccountData(t.userId, t.roomId, type);
  if (content !== undefined) return { json: content };
  // Push rules are readable even before the user changed them.
  if (type === "m.push_rules" && t.roomId === "") return { json: pushRulesContent(effectiveRuleset(t.userId, undefined)) };
  throw notFound("Account data not found");
};

async function readTags(s: ServerContext, userId: string, roomId: string): Promise<JsonObject> {
  const content = await s.stores.streams.getAccountData(userId, roomId, "m.tag");
  const tags = typeof content === "object" && content !== null ? (content as JsonObject)["tags"] : undefined;
  return typeof tags === "object" && tags !== null && !Array.isArray(tags) ? { ...tags } : {};
}

async function writeTags(s: ServerContext, userId: string, roomId: string, tags: JsonObject): Promise<void> {
  await s.stores.streams.putAccountData(userId, roomId, "m.tag", { tags });
  s.notifier.notifyUsers([userId]);
}

export const getTagsHandler = (s: ServerContext): Handler => async (ctx) => {
  const t = await target(s, ctx, true, "read tags");
  return { json: { tags: await readTags(s, t.userId, t.roomId) } };
};

/** Tag names are at most 255 bytes (spec); `order`, when given, is a number. */
export const putTagHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const tag = param(ctx, "tag");
  let b: JsonObject = {};
  const t = await target(s, ctx, true, "add tags", () => {
    b = bodyObject(ctx.body);
    if (b["order"] !== undefined && typeof b["order"] !== "number") throw badJson("'order' must be a number");
    if (tag === "" || Buffer.byteLength(tag, "utf8") > 255) throw new MatrixError("M_INVALID_PARAM", 400, "Tag names are 1 to 255 bytes");
  });
  await svc.lock.run(`tags|${t.userId}|${t.roomId}`, async () => {
    const tags = await readTags(s, t.userId, t.roomId);
    tags[tag] = b;
    await writeTags(s, t.userId, t.roomId, tags);
  });
  return { json: {} };
};

export const deleteTagHandler = (s: ServerContext, svc: AccountServices): Handler => async (ctx) => {
  const t = await target(s, ctx, true, "remove tags");
  const tag = param(ctx, "tag");
  await svc.lock.run(`tags|${t.userId}|${t.roomId}`, async () => {
    const tags = await readTags(s, t.userId, t.roomId);
    if (!(tag in tags)) return;
    delete tags[tag];
    await writeTags(s, t.userId, t.roomId, tags);
  });
  return { json: {} };
};
