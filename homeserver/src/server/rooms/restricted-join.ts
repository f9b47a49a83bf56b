// Restricted rooms (v8+, "restricted" and v10+ "knock_restricted"): members of the rooms listed in
// the join rules' `allow` may join without an invite, vouched for by a user of a resident server
// who can invite (content.join_authorised_via_users_server). Councils use it for "members of the
// agglomeration space may join this working group".
// Spec: https://spec.matrix.org/v1.16/client-server-api/#restricted-rooms
import type { JsonObject, RoomEvent, StateKey } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import { parsePowerLevels, userPowerLevel } from "../../room/auth/power-levels.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { serverNameOf } from "../../spec/ids.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";

export interface RestrictedJoinDeps {
  events: EventStore;
  rooms: RoomStore;
  serverName: string;
}

/**
 * The local user to name in join_authorised_via_users_server, or undefined when the join needs no
 * authorisation (not a restricted room, or the user is already invited or joined). Throws
 * M_FORBIDDEN when the user is in none of the allowed rooms, M_UNABLE_TO_AUTHORISE_JOIN when we
 * cannot tell (we are in none of them), M_UNABLE_TO_GRANT_JOIN when no local member may invite.
 */
export async function joinAuthoriser(deps: RestrictedJoinDeps, version: RoomVersion, state: ReadonlyMap<StateKey, string>, userId: string): Promise<string | undefined> {
  if (!version.restrictedJoins) return undefined;
  const get = async (type: string, key = ""): Promise<RoomEvent | undefined> => {
    const id = state.get(stateKeyOf(type, key));
    return id ? (await deps.events.getEvent(id))?.event : undefined;
  };
  const rules = (await get("m.room.join_rules"))?.pdu.content ?? {};
  const rule = rules["join_rule"];
  if (rule !== "restricted" && !(version.knockRestricted && rule === "knock_restricted")) return undefined;
  const current = (await get("m.room.member", userId))?.pdu.content["membership"];
  if (current === "join" || current === "invite") return undefined;
  const allowRooms = (Array.isArray(rules["allow"]) ? rules["allow"] : [])
    .filter((a): a is JsonObject => typeof a === "object" && a !== null && !Array.isArray(a) && a["type"] === "m.room_membership" && typeof a["room_id"] === "string")
    .map((a) => String(a["room_id"]));
  let resident = false;
  let allowed = false;
  for (const roomId of allowRooms) {
    const room = await deps.rooms.getRoom(roomId);
    if (room?.currentStateGroup === undefined) continue;
    resident = true;
    if ((await deps.rooms.membership(roomId, userId)) === "join") allowed = true;
  }
  if (!allowed) {
    if (!resident) throw new MatrixError("M_UNABLE_TO_AUTHORISE_JOIN", 400, "This server is in none of the rooms that grant access");
    throw new MatrixError("M_FORBIDDEN", 403, "You are not a member of any room that grants access to this one");
  }
  const pl = await get("m.room.power_levels");
  const create = await get("m.room.create");
  const inviteLevel = parsePowerLevels(pl?.pdu.content, version).invite;
  for (const [k, id] of state) {
    if (!k.startsWith("m.room.member\u0000")) continue;
    const member = (await deps.events.getEvent(id))?.event;
    const candidate = member?.pdu.state_key ?? "";
    if (serverNameOf(candidate) !== deps.serverName || member?.pdu.content["membership"] !== "join") continue;
    if (userPowerLevel(candidate, pl, create, version) >= inviteLevel) return candidate;
  }
  throw new MatrixError("M_UNABLE_TO_GRANT_JOIN", 400, "No member of this server may let you in; join through another server");
}
