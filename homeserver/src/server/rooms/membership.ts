// Membership changes by local users: join, invite, leave, kick, ban, unban, knock.
// The auth rules decide; this shapes the member events and, when the room or the target lives on
// another council, goes through federation. Spec: https://spec.matrix.org/v1.16/client-server-api/#room-membership
import type { JsonObject, RoomEvent, StateKey } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";

import { MatrixError } from "../../spec/matrix-error.ts";
import { parseRoomId, serverNameOf } from "../../spec/ids.ts";
import type { LocalEvents, PersistedEvent } from "./local-events.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { UserStore } from "../../storage/user-store.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { FederationServices } from "../federation/federation-services.ts";
import { STRIPPED_STATE_TYPES, strippedEvent } from "./client-event.ts";
import { joinAuthoriser } from "./restricted-join.ts";
import { versionOrThrow } from "./local-events.ts";
import type { Logger } from "../log.ts";

export interface MembershipDeps {
  localEvents: LocalEvents;
  rooms: RoomStore;
  users: UserStore;
  events: EventStore;
  serverName: string;
  federation: FederationServices | undefined;
}

export type MembershipAction = "join" | "invite" | "leave" | "kick" | "ban" | "unban" | "knock";

const MEMBERSHIP_OF: Record<MembershipAction, string> = {
  join: "join", invite: "invite", leave: "leave", kick: "leave", ban: "ban", unban: "leave", knock: "knock",
};


export async function changeMembership(
  deps: MembershipDeps, roomId: string, actor: string, action: MembershipAction, target: string, reason: string | undefined, via: readonly string[] = [],
  extraContent: JsonObject = {},
): Promise<PersistedEvent> {
  const room = await deps.rooms.getRoom(roomId);
  const resident = room?.currentStateGroup !== undefined;
  if (!resident && (action === "join" || action === "leave" || action === "knock")) return remoteMembership(deps, roomId, actor, action, reason, via);
  if (!room || !resident) {
    const notFound = action === "knock";
    throw new MatrixError(notFound ? "M_NOT_FOUND" : "M_FORBIDDEN", notFound ? 404 : 403, `Unknown room ${roomId}`);
  }
  const current = await deps.rooms.membership(roomId, target);
  if (action === "kick" && current !== "join" && current !== "invite" && current !== "knock") {
    throw new MatrixError("M_FORBIDDEN", 403, `${target} is not in the room`);
  }
  if (action === "unban" && current !== "ban") throw new MatrixError("M_FORBIDDEN", 403, `${target} is not banned`);
  if (action === "invite" && current === "join") throw new MatrixError("M_FORBIDDEN", 403, `${target} is already in the room`);
  if (action === "invite" && current === "ban") throw new MatrixError("M_FORBIDDEN", 403, `${target} is banned from the room`);
  const content: JsonObject = { ...extraContent, membership: MEMBERSHIP_OF[action] };
  if (reason !== undefined) content["reason"] = reason;
  const profileUser = action === "join" || action === "knock" ? actor : action === "invite" ? target : undefined;
  if (profileUser) Object.assign(content, await profileContent(deps, profileUser));
  if (action === "join") {
    const state = room.currentStateGroup === undefined ? new Map<StateKey, string>() : await deps.events.stateMapOfGroup(room.currentStateGroup);
    const authoriser = await joinAuthoriser(deps, versionOrThrow(room.version), state, actor);
    if (authoriser) content["join_authorised_via_users_server"] = authoriser;
  }
  const remoteTarget = action === "invite" && serverNameOf(target) !== deps.serverName;
  if (remoteTarget && !deps.federation) throw new MatrixError("M_FORBIDDEN", 403, "Federation is disabled on this server");
  const federation = deps.federation;
  return deps.localEvents.send(roomId, actor, { type: "m.room.member", stateKey: target, content }, remoteTarget && federation ? {
    exchange: async (event, version, state) => federation.membership.exchangeInvite(event, version, await inviteRoomState(deps, state, actor)),
  } : {});
}

/**
 * Account deactivation: leaves every joined room, rejects pending invites and withdraws knocks,
 * through federation for rooms we are not resident in. A failing room is logged; the others go on.
 * Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3accountdeactivate
 */
export async function leaveAllRooms(deps: MembershipDeps, userId: string, log: Logger): Promise<{ left: number; failed: number }> {
  let left = 0;
  let failed = 0;
  for (const m of await deps.rooms.roomsForUser(userId)) {
    if (m.membership !== "join" && m.membership !== "invite" && m.membership !== "knock") continue;
    try {
      await changeMembership(deps, m.roomId, userId, "leave", userId, undefined);
      left++;
    } catch (err) {
      failed++;
      log.warn("could not leave a room of a deactivated account", { user_id: userId, room_id: m.roomId, membership: m.membership, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { left, failed };
}

async function profileContent(deps: MembershipDeps, userId: string): Promise<JsonObject> {
  if (serverNameOf(userId) !== deps.serverName) return {};
  const u = await deps.users.getUser(userId);
  const out: JsonObject = {};
  if (u?.displayname) out["displayname"] = u.displayname;
  if (u?.avatarUrl) out["avatar_url"] = u.avatarUrl;
  return out;
}

async function inviteRoomState(deps: MembershipDeps, state: ReadonlyMap<StateKey, string>, inviter: string): Promise<JsonObject[]> {
  const ids = [...STRIPPED_STATE_TYPES.map((t) => state.get(stateKeyOf(t, ""))), state.get(stateKeyOf("m.room.member", inviter))].filter((x): x is string => x !== undefined);
  const rows = await deps.events.getEvents(ids);
  return [...rows.values()].map((r: { event: RoomEvent }) => strippedEvent(r.event));
}

/** Join or leave a room we are not resident in: through the servers given, the inviter's, the room id's. */
async function remoteMembership(deps: MembershipDeps, roomId: string, userId: string, action: "join" | "leave" | "knock", reason: string | undefined, via: readonly string[]): Promise<PersistedEvent> {
  const servers = [...via];
  const inviteId = await deps.rooms.currentStateId(roomId, "m.room.member", userId);
  const invite = inviteId ? await deps.events.getEvent(inviteId) : undefined;
  const inviter = invite ? serverNameOf(invite.event.pdu.sender) : undefined;
  if (inviter) servers.push(inviter);
  const idServer = parseRoomId(roomId)?.serverName;
  if (idServer) servers.push(idServer);
  if (!deps.federation) throw new MatrixError("M_NOT_FOUND", 404, `Unknown room ${roomId}`);
  if (action === "knock") return deps.federation.membership.knock(roomId, userId, servers.filter((s) => s !== deps.serverName), reason);
  if (action === "join") {
    return deps.federation.membership.join(roomId, userId, servers.filter((s) => s !== deps.serverName), await profileContent(deps, userId));
  }
  if (!invite) throw new MatrixError("M_FORBIDDEN", 403, "You are not in this room");
  return deps.federation.membership.leave(roomId, userId, servers.filter((s) => s !== deps.serverName), reason);
}

