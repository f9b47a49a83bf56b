// POST /keys/upload, POST /keys/query, POST /keys/claim, GET /keys/changes
// Spec: https://spec.matrix.org/v1.16/client-server-api/#end-to-end-encryption
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError, badJson, invalidParam } from "../../../spec/matrix-error.ts";
import { parseUserId } from "../../../spec/ids.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { bodyObject, optInt } from "../json.ts";
import { parseSyncToken } from "../../sync/sync-token.ts";
import type { ClaimRequest, QueryRequest } from "../../e2ee/device-keys.ts";

const DEFAULT_REMOTE_TIMEOUT_MS = 10_000;
const MAX_USERS = 10_000;

/** `timeout` of query/claim: how long to wait for remote servers (bounded). */
const remoteTimeout = (b: JsonObject): number => Math.min(Math.max(optInt(b, "timeout") ?? DEFAULT_REMOTE_TIMEOUT_MS, 0), 60_000);

function userMap(b: JsonObject, field: string): [string, unknown][] {
  const v = b[field];
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badJson(`'${field}' must be an object keyed by user id`);
  const entries = Object.entries(v);
  if (entries.length > MAX_USERS) throw invalidParam(`Too many users in '${field}'`);
  for (const [userId] of entries) if (!parseUserId(userId)) throw invalidParam(`Invalid user id '${userId}' in '${field}'`);
  return entries;
}

export const uploadKeysHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const counts = await s.e2ee.keys.upload({ userId: me.userId, deviceId: me.deviceId }, bodyObject(ctx.body));
  return { json: { one_time_key_counts: counts } };
};

export const queryKeysHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const request: QueryRequest = {};
  for (const [userId, devices] of userMap(b, "device_keys")) {
    if (!Array.isArray(devices) || devices.some((d) => typeof d !== "string")) throw badJson(`'device_keys.${userId}' must be an array of device ids`);
    request[userId] = devices as string[];
  }
  return { json: await s.e2ee.keys.query(me.userId, request, remoteTimeout(b)) };
};

export const claimKeysHandler = (s: ServerContext): Handler => async (ctx) => {
  await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const request: ClaimRequest = {};
  for (const [userId, devices] of userMap(b, "one_time_keys")) {
    if (typeof devices !== "object" || devices === null || Array.isArray(devices)) throw badJson(`'one_time_keys.${userId}' must be an object of device id to algorithm`);
    for (const [deviceId, algorithm] of Object.entries(devices)) {
      if (typeof algorithm !== "string" || algorithm === "") throw badJson(`'one_time_keys.${userId}.${deviceId}' must be an algorithm name`);
    }
    request[userId] = devices as Record<string, string>;
  }
  return { json: await s.e2ee.keys.claim(request, remoteTimeout(b)) };
};

export const keyChangesHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const from = ctx.query.get("from");
  const to = ctx.query.get("to");
  if (!from || !to) throw new MatrixError("M_MISSING_PARAM", 400, "'from' and 'to' are required (sync tokens)");
  const a = parseSyncToken(from);
  const z = parseSyncToken(to);
  return { json: await s.e2ee.deviceLists.delta(me.userId, a, z) };
};
