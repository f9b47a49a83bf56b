// GET/PUT /_matrix/client/v3/directory/list/room/{roomId}, GET/POST /_matrix/client/v3/publicRooms
// Spec: https://spec.matrix.org/v1.16/client-server-api/#listing-rooms
import type { JsonObject, JsonValue } from "../../../room/pdu.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { isValidServerName, parseRoomId } from "../../../spec/ids.ts";
import type { RemoteQueries } from "../../federation/remote-queries.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import type { Handler } from "../../http/router.ts";
import { bodyObject, optBool, optInt, optObject, optString } from "../json.ts";
import { optionalAuth } from "./aliases.ts";
import { canSendState, isServerAdmin } from "./room-permissions.ts";
import { roomSummary } from "./room-summary.ts";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

function roomIdParam(ctx: RequestContext): string {
  const roomId = ctx.params["roomId"] ?? "";
  if (!parseRoomId(roomId)) throw new MatrixError("M_INVALID_PARAM", 400, `Invalid room id '${roomId}'`);
  return roomId;
}

export const getVisibilityHandler = (s: ServerContext): Handler => async (ctx) => {
  await optionalAuth(s, ctx);
  const room = await s.stores.rooms.getRoom(roomIdParam(ctx));
  if (!room) throw new MatrixError("M_NOT_FOUND", 404, "Room not found");
  return { json: { visibility: room.isPublic ? "public" : "private" } };
};

/** Publishing needs the level to change m.room.canonical_alias (a room admin), or a server admin. */
export const putVisibilityHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const roomId = roomIdParam(ctx);
  const visibility = optString(bodyObject(ctx.body), "visibility") ?? "public";
  if (visibility !== "public" && visibility !== "private") throw new MatrixError("M_INVALID_PARAM", 400, "'visibility' must be 'public' or 'private'");
  if (!(await s.stores.rooms.getRoom(roomId))) throw new MatrixError("M_NOT_FOUND", 404, "Room not found");
  if (!(await isServerAdmin(s, me.userId)) && !(await canSendState(s, roomId, me.userId, "m.room.canonical_alias"))) {
    throw new MatrixError("M_FORBIDDEN", 403, "You may not change this room's directory visibility");
  }
  await s.stores.rooms.setPublic(roomId, visibility === "public");
  return { json: {} };
};

export interface PublicRoomsQuery {
  limit: number;
  offset: number;
  searchTerm: string | undefined;
  roomTypes: (string | null)[] | undefined;
}

/** `since` tokens are `p<offset>`; the direction comes from which token the client passes back. */
export function parseSince(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  const m = /^p(\d{1,9})$/.exec(raw);
  if (!m) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid 'since' token");
  return Number(m[1]);
}

/** The `server` parameter when it names another server, whose directory we ask over federation. */
function remoteServer(s: ServerContext, server: string | null): { server: string; queries: RemoteQueries } | undefined {
  if (server === null || server === "" || server === s.serverName) return undefined;
  if (!s.federation) throw new MatrixError("M_INVALID_PARAM", 400, "Listing other servers' room directories needs federation");
  if (!isValidServerName(server)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid server name");
  return { server, queries: s.federation.queries };
}

export const getPublicRoomsHandler = (s: ServerContext): Handler => async (ctx) => {
  await optionalAuth(s, ctx);
  const remote = remoteServer(s, ctx.query.get("server"));
  const rawLimit = ctx.query.get("limit");
  if (rawLimit !== null && rawLimit !== "" && !/^\d{1,9}$/.test(rawLimit)) throw new MatrixError("M_INVALID_PARAM", 400, "'limit' must be a non-negative integer");
  const limit = rawLimit === null || rawLimit === "" ? DEFAULT_LIMIT : Number(rawLimit);
  const since = ctx.query.get("since") ?? "";
  if (remote) return { json: await remote.queries.publicRooms(remote.server, { limit, ...(since === "" ? {} : { since }) }) };
  return { json: await listPublicRooms(s, { limit, offset: parseSince(ctx.query.get("since") ?? undefined), searchTerm: undefined, roomTypes: undefined }) };
};

export const postPublicRoomsHandler = (s: ServerContext): Handler => async (ctx) => {
  await s.auth.require(ctx);
  const remote = remoteServer(s, ctx.query.get("server"));
  const body = bodyObject(ctx.body);
  const limit = optInt(body, "limit");
  if (limit !== undefined && limit < 0) throw new MatrixError("M_INVALID_PARAM", 400, "'limit' must be a non-negative integer");
  optBool(body, "include_all_networks");
  const instance = optString(body, "third_party_instance_id");
  const filter = optObject(body, "filter") ?? {};
  const searchTerm = optString(filter, "generic_search_term", 1000);
  const roomTypes = parseRoomTypes(filter["room_types"]);
  if (remote) {
    const since = optString(body, "since");
    const all = optBool(body, "include_all_networks");
    return { json: await remote.queries.publicRooms(remote.server, {
      limit: limit ?? DEFAULT_LIMIT, filter, ...(since === undefined ? {} : { since }), ...(all === undefined ? {} : { include_all_networks: all }),
      ...(instance === undefined ? {} : { third_party_instance_id: instance }),
    }) };
  }
  // We bridge no third-party networks: a specific network has no rooms.
  if (instance !== undefined) return { json: { chunk: [], total_room_count_estimate: 0 } };
  return { json: await listPublicRooms(s, { limit: limit ?? DEFAULT_LIMIT, offset: parseSince(optString(body, "since")), searchTerm, roomTypes }) };
};

export function parseRoomTypes(v: JsonValue | undefined): (string | null)[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => x !== null && typeof x !== "string")) throw new MatrixError("M_BAD_JSON", 400, "'room_types' must be an array of strings or null");
  return v as (string | null)[];
}

/** Largest rooms first (spec), then by room id so pages are stable. */
export async function listPublicRooms(s: ServerContext, q: PublicRoomsQuery): Promise<JsonObject> {
  const summaries: JsonObject[] = [];
  for (const roomId of await s.stores.rooms.publicRooms()) {
    const summary = await roomSummary(s, roomId);
    if (matches(summary, q)) summaries.push(summary);
  }
  summaries.sort((a, b) => Number(b["num_joined_members"]) - Number(a["num_joined_members"]) || String(a["room_id"]).localeCompare(String(b["room_id"])));
  const limit = Math.max(1, Math.min(q.limit, MAX_LIMIT));
  const out: JsonObject = { chunk: summaries.slice(q.offset, q.offset + limit), total_room_count_estimate: summaries.length };
  if (q.offset + limit < summaries.length) out["next_batch"] = `p${q.offset + limit}`;
  if (q.offset > 0) out["prev_batch"] = `p${Math.max(0, q.offset - limit)}`;
  return out;
}

function matches(summary: JsonObject, q: PublicRoomsQuery): boolean {
  if (q.roomTypes !== undefined) {
    const type = typeof summary["room_type"] === "string" ? summary["room_type"] : null;
    if (!q.roomTypes.includes(type)) return false;
  }
  const term = q.searchTerm?.trim().toLowerCase();
  if (!term) return true;
  return ["name", "topic", "canonical_alias", "room_id"].some((k) => {
    const v = summary[k];
    return typeof v === "string" && v.toLowerCase().includes(term);
  });
}
