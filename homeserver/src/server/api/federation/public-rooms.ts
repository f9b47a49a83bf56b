// GET /_matrix/federation/v1/publicRooms, POST /_matrix/federation/v1/publicRooms
// Our published room directory, for other servers' clients. Same listing, order and `since`
// tokens as the client-server /publicRooms; only rooms published here, never other servers'.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#public-room-directory
import { MatrixError } from "../../../spec/matrix-error.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { bodyObject, optBool, optInt, optObject, optString } from "../json.ts";
import { listPublicRooms, parseRoomTypes, parseSince } from "../directory/public-rooms.ts";
import { fed } from "./common.ts";

/** Spec: a federation `limit` of 0 (the default) means no limit; our listing caps pages at 500. */
const NO_LIMIT = 500;
const EMPTY = { chunk: [], total_room_count_estimate: 0 };

function limitOf(n: number | undefined): number {
  if (n !== undefined && n < 0) throw new MatrixError("M_INVALID_PARAM", 400, "'limit' must be a non-negative integer");
  return n === undefined || n === 0 ? NO_LIMIT : n;
}

/** Synapse sends include_all_networks as the string "true" or "false": accept that besides a boolean. */
function stringlyBool(o: JsonObject, key: string): boolean | undefined {
  const v = o[key];
  if (v === "true" || v === "false") return v === "true";
  return optBool(o, key);
}

export const getFederationPublicRooms = (s: ServerContext): Handler => async (ctx) => {
  await fed(s).authenticate(ctx);
  const raw = ctx.query.get("limit");
  if (raw !== null && raw !== "" && !/^\d{1,9}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", 400, "'limit' must be a non-negative integer");
  const limit = limitOf(raw === null || raw === "" ? undefined : Number(raw));
  // we bridge no third-party networks: a specific network has no rooms
  if (ctx.query.get("third_party_instance_id")) return { json: EMPTY };
  return { json: await listPublicRooms(s, { limit, offset: parseSince(ctx.query.get("since") ?? undefined), searchTerm: undefined, roomTypes: undefined }) };
};

export const postFederationPublicRooms = (s: ServerContext): Handler => async (ctx) => {
  await fed(s).authenticate(ctx);
  const body = bodyObject(ctx.body);
  const limit = limitOf(optInt(body, "limit"));
  stringlyBool(body, "include_all_networks");
  const filter = optObject(body, "filter") ?? {};
  const searchTerm = optString(filter, "generic_search_term", 1000);
  const roomTypes = parseRoomTypes(filter["room_types"]);
  if (optString(body, "third_party_instance_id") !== undefined) return { json: EMPTY };
  return { json: await listPublicRooms(s, { limit, offset: parseSince(optString(body, "since")), searchTerm, roomTypes }) };
};
